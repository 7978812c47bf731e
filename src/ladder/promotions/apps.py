from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "ladder.promotions"
    label = "promotions"
    verbose_name = "Promotions"
