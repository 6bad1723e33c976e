"""Writes of the reviews app beyond the registers' own (which go through
`qms.core.registers.services`): management reviews, and survey scores into an objective."""

from reviews.services.satisfaction import customer_satisfaction_to_objective

__all__ = ["customer_satisfaction_to_objective"]
