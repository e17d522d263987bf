"""The YAML boundary: the only package that reads or writes the workspace's YAML.

strict.py           PyYAML nodes read field by field, with line numbers and no guessing
recommendations.py  reading recommendations.yaml
returns.py          reading status files
blocks.py           writing returns as blocks of a status file (loads no PyYAML)
"""
