"""Pages of the reviews app: management reviews (`meetings`), and survey scores into an
objective (`satisfaction`). The registers' pages come from `qms.core.registers`."""
