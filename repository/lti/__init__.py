"""LTI 1.3 protocol glue over pylti1p3: our keys, the tool configuration, launch storage, messages."""
