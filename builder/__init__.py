"""Builds a listed company's HKEX ESG report from one YAML file."""
