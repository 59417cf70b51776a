from mysite import make_engine

flow = make_engine()


@flow.function_task  # RAF207
def fit(x):
    return x


fit(1)
