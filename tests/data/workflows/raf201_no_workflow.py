import math  # RAF201


def area(r):
    return math.pi * r * r
