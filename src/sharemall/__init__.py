"""ShareMall: a multi-merchant social-commerce platform."""
