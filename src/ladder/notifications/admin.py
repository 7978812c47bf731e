"""The outbox in the Django admin: what went, what waits, and why a mail failed."""

from django.contrib import admin, messages

from ladder.admin import ReadOnlyAdmin
from ladder.roles import is_admin

from .models import OutgoingMail
from .services import mail_send_pending


class DeliveryFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("sent", "Sent"), ("waiting", "Waiting"), ("failed", "Failed, to be retried")]

    def queryset(self, request, queryset):
        match self.value():
            case "sent":
                return queryset.filter(sent_at__isnull=False)
            case "waiting":
                return queryset.pending()
            case "failed":
                return queryset.failed()
        return queryset


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    """Read only: a mail is the record that someone was told; it is sent, never edited."""

    list_display = ["created_at", "kind", "to", "subject", "sent_at", "attempts", "last_error"]
    list_filter = [DeliveryFilter, "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    actions = ["send_now"]

    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    @admin.action(description="Send the selected mails now (those not sent yet)")
    def send_now(self, request, queryset):
        report = mail_send_pending(ids=list(queryset.pending().values_list("pk", flat=True)))
        for mail in report.failed:
            messages.error(request, f"Could not send to {mail.to}: {mail.last_error}")
        messages.info(request, f"Sent {len(report.sent)}, failed {len(report.failed)}.")
