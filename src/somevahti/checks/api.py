from ninja import Router

router = Router(tags=["checks"])
