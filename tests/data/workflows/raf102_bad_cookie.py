# -*- coding: no-such-codec -*-  # RAF102
x = 1
