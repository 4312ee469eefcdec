"""The sandbox's store: one module per aggregate, keyword-only functions that own their SQL."""
