"""radical.asyncflow: asynchronous workflows with an ahead-of-time compiler."""
