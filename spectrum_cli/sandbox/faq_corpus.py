"""The sandbox's help centre: short articles a support agent would point to."""

from __future__ import annotations

# (id, category, title, body)
ARTICLES: tuple[tuple[str, str, str, str], ...] = (
    (
        "faq_signin_trouble",
        "sign-in",
        "Can't sign in to your account",
        "If your username or password is not accepted, check Caps Lock and try again. After five "
        "failed attempts sign-in is locked for 15 minutes. Use username recovery if you forgot "
        "your username, or reset your password with a code sent to your email or phone.",
    ),
    (
        "faq_locked_out",
        "sign-in",
        "Account locked after too many sign-in attempts",
        "For your security, five failed sign-in attempts lock the account for 15 minutes. Wait "
        "15 minutes and try again, or reset your password to sign in right away.",
    ),
    (
        "faq_two_factor",
        "sign-in",
        "Two-step verification codes",
        "With two-step verification on, we text or email a 6-digit code each time you sign in. "
        "The code expires after 10 minutes. If the code does not arrive, check the phone number "
        "or email on your profile and request a new code by signing in again.",
    ),
    (
        "faq_forgot_username",
        "recovery",
        "Forgot your username",
        "Recover your username with the email address or phone number on your account, or with "
        "your 16-digit account number and 4-digit security code. We send the usernames to the "
        "contact on file; for your privacy we never show them on screen.",
    ),
    (
        "faq_reset_password",
        "recovery",
        "Reset a forgotten password",
        "Request a reset code for your username. We send a 6-digit code to the email or phone on "
        "file. Enter the code and choose a new password within 15 minutes. Resetting signs you "
        "out everywhere.",
    ),
    (
        "faq_password_rules",
        "recovery",
        "Password requirements",
        "Passwords are 8 to 20 characters with at least one upper-case letter, one lower-case "
        "letter and one number. Slashes and quotes are not allowed, and you cannot reuse any of "
        "your last five passwords.",
    ),
    (
        "faq_security_code",
        "recovery",
        "What is my account security code",
        "The 4-digit security code was chosen when the account was opened. It is used with the "
        "account number to recover a username or verify you when you call us.",
    ),
    (
        "faq_read_bill",
        "billing",
        "Understanding your bill",
        "Your statement shows the previous balance, payments received, new charges grouped as "
        "services, discounts, equipment, one-time charges, taxes, fees and surcharges, and the "
        "amount due with its due date.",
    ),
    (
        "faq_bill_higher",
        "billing",
        "Why is my bill higher this month",
        "A bill usually goes up when a promotional price ends, a one-time charge such as "
        "installation is added, mobile data usage grows, or a late fee applies. Compare the "
        "line items with last month's bill to see exactly what changed.",
    ),
    (
        "faq_promo_ending",
        "billing",
        "What happens when my promotion ends",
        "Promotional prices usually last 12 months. When a promotion ends the service returns "
        "to its standard monthly price; internet often rises by $25 to $30 a month. Your bill "
        "shows a message at least 30 days before a promotion ends: the statement issued in the "
        "last full billing cycle before the end says so.",
    ),
    (
        "faq_due_date",
        "billing",
        "When is my bill due",
        "Statements are issued on your billing cycle day and are due 21 days later. The due "
        "date is on every statement and on your account dashboard.",
    ),
    (
        "faq_late_fee",
        "billing",
        "Late fees",
        "If the balance is not paid by the due date, a late fee of $8.95 is added to your next "
        "bill. Paying the past-due balance avoids further late fees.",
    ),
    (
        "faq_broadcast_surcharge",
        "billing",
        "Broadcast TV surcharge",
        "The Broadcast TV surcharge covers part of what local broadcast stations charge us to "
        "carry their channels. It applies to TV plans and appears under taxes, fees and "
        "surcharges.",
    ),
    (
        "faq_taxes_fees",
        "billing",
        "Taxes and fees on your bill",
        "State and local sales tax applies to TV, voice and equipment charges. Taxes are "
        "calculated on each bill and listed separately.",
    ),
    (
        "faq_proration",
        "billing",
        "Partial month charges and proration",
        "When you add or change a service in the middle of a billing cycle, the bill shows a "
        "prorated charge or credit for the days of the partial month.",
    ),
    (
        "faq_statement_pdf",
        "billing",
        "Download a statement as PDF",
        "Every monthly statement can be downloaded as a PDF from your billing history, for "
        "your records or an expense report. Past statements stay available for 12 months.",
    ),
    (
        "faq_pay_bill",
        "payments",
        "Ways to pay your bill",
        "Pay online with a debit or credit card or a bank account, now or scheduled for a later "
        "date, or set up autopay. Card payments post immediately; bank payments take two "
        "business days.",
    ),
    (
        "faq_payment_declined",
        "payments",
        "My payment was declined",
        "A card can be declined for insufficient funds, an expired card, or a bank block. Check "
        "the card details or try another payment method. A declined payment is not charged "
        "and the balance stays due.",
    ),
    (
        "faq_bank_payment_returned",
        "payments",
        "Returned bank payment",
        "If your bank returns a payment, for example for insufficient funds, the amount is "
        "owed again and the account may become past due. Make the payment again with another "
        "method.",
    ),
    (
        "faq_schedule_payment",
        "payments",
        "Schedule a payment for later",
        "Choose a future date when you make a one-time payment. You can cancel a scheduled "
        "payment any time before it is processed.",
    ),
    (
        "faq_payment_methods",
        "payments",
        "Add or remove a card or bank account",
        "Save debit and credit cards or checking and savings accounts as payment methods. We "
        "keep only the last four digits. The method used by autopay cannot be removed until "
        "autopay uses another one.",
    ),
    (
        "faq_confirmation_number",
        "payments",
        "Payment confirmation number",
        "Every payment gets a confirmation number. Keep it for your records; it identifies the "
        "payment if you contact us.",
    ),
    (
        "faq_autopay_setup",
        "autopay",
        "Set up autopay",
        "Autopay pays the full statement balance automatically on each due date with the card "
        "or bank account you choose. Only the account holder or an administrator can turn it "
        "on.",
    ),
    (
        "faq_autopay_timing",
        "autopay",
        "When autopay starts or stops",
        "If you enroll or cancel within 3 business days of a due date, the change starts with "
        "the next statement, so make a one-time payment for the current bill if needed.",
    ),
    (
        "faq_autopay_failed",
        "autopay",
        "Autopay payment failed",
        "If an autopay payment fails, the balance stays due and we alert you. Update the card "
        "or bank account used by autopay and make a one-time payment to avoid a late fee.",
    ),
    (
        "faq_autopay_cancel",
        "autopay",
        "Turn off autopay",
        "You can turn off autopay at any time. Close to a due date the payment already "
        "scheduled for that bill still happens.",
    ),
    (
        "faq_restart_modem",
        "equipment",
        "Restart your modem or router",
        "Restarting fixes most slow or dropped connections. Restart the modem from your account "
        "or unplug it for 30 seconds. It takes a few minutes to come back online.",
    ),
    (
        "faq_wifi_slow",
        "equipment",
        "Slow internet or WiFi",
        "For slow internet speeds, restart your router, move closer to it, and check for an "
        "outage in your area. Advanced WiFi lets you see connected devices.",
    ),
    (
        "faq_equipment_fees",
        "equipment",
        "Equipment fees",
        "The internet modem is included at no charge. Advanced WiFi router service is $7 a month "
        "and each TV receiver is $9.99 a month.",
    ),
    (
        "faq_return_equipment",
        "equipment",
        "Return equipment",
        "When you cancel service, return modems, routers and receivers to a store or by mail "
        "within 14 days to avoid unreturned equipment fees.",
    ),
    (
        "faq_tv_receiver",
        "equipment",
        "TV receiver not working",
        "If the TV receiver shows no picture, check the HDMI cable and TV input, then restart "
        "the receiver from your account.",
    ),
    (
        "faq_outage_check",
        "outages",
        "Is there an outage in my area",
        "Check service status for outages at your address, with the estimated time service "
        "will be restored. We also notify you by text or email if you turn on outage alerts.",
    ),
    (
        "faq_outage_credit",
        "outages",
        "Credit for a service outage",
        "If an outage lasts more than 24 hours you may be eligible for a credit. Open a ticket "
        "after service is restored.",
    ),
    (
        "faq_internet_down",
        "outages",
        "Internet is down",
        "If your internet is not working, check for an outage at your address first, then "
        "restart your modem. If it still does not connect, open a support ticket.",
    ),
    (
        "faq_moving",
        "moving",
        "Moving to a new address",
        "Tell us your moving date and new address at least two weeks ahead to transfer your "
        "services. We confirm availability at the new address and schedule installation.",
    ),
    (
        "faq_moving_billing_address",
        "moving",
        "Change your billing address",
        "Update the billing address on your profile. The service address changes only when "
        "you transfer service with a move.",
    ),
    (
        "faq_paperless",
        "paperless",
        "Paperless billing",
        "With paperless billing we email you when a new statement is ready instead of mailing "
        "paper. Turn it on or off in your profile.",
    ),
    (
        "faq_notifications",
        "account",
        "Notification preferences",
        "Choose email or text alerts for bill ready, payment received, autopay reminders and "
        "outages in your profile.",
    ),
    (
        "faq_update_contact",
        "account",
        "Update your email or phone number",
        "Keep up to three email addresses and three phone numbers on your profile. The primary "
        "ones receive codes and notices.",
    ),
    (
        "faq_users_roles",
        "account",
        "Account users and roles",
        "The head of household manages the account. Administrators can manage billing and "
        "autopay. Standard users can view bills and pay but cannot change autopay or payment "
        "methods.",
    ),
    (
        "faq_api_tokens",
        "account",
        "API tokens for automation",
        "Create a scoped API token for scripts and scheduled payments. A token can only do what "
        "its scopes allow and can be revoked at any time.",
    ),
    (
        "faq_mobile_by_the_gig",
        "mobile",
        "Mobile By the Gig pricing",
        "By the Gig lines pay for the data they use: $20 for the first gigabyte of a line and "
        "$5 for each further gigabyte begun. Usage is billed on the following statement.",
    ),
    (
        "faq_mobile_data_usage",
        "mobile",
        "Check mobile data usage",
        "See daily mobile data usage per line and the charge so far for the current billing "
        "cycle in your usage statistics.",
    ),
    (
        "faq_cancel_service",
        "account",
        "Cancel service",
        "To cancel a service, contact us. The final bill covers service up to the cancellation "
        "date, and equipment must be returned.",
    ),
)
