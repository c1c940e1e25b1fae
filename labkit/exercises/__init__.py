"""The notebooks' self-checks and hints, one module per notebook topic.

A notebook imports its module as `exercises` (`from labkit.exercises import caching as exercises`);
`checks` holds what every check shares. Solutions for trainers: notebooks/solutions/.
"""
