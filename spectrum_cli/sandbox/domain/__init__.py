"""The sandbox's domain rules: billing, payments and autopay, each rule in one place."""
