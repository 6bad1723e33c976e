def seed_engagement(context) -> None:
    pass
