"""Message building and provider adapters (SMS, email, calendar, webhooks). No Flask, no database."""
