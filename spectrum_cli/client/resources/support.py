from __future__ import annotations

from spectrum_cli.api import routes
from spectrum_cli.api.account import Equipment, EquipmentList
from spectrum_cli.api.support import (
    ChatMessageCreate,
    ChatMessageList,
    ChatSession,
    FaqArticle,
    FaqSearchResults,
    Ticket,
    TicketCategory,
    TicketCreate,
    TicketList,
    TicketReply,
    TicketStatus,
)
from spectrum_cli.client.resources._base import Resource
from spectrum_cli.client.resources._paths import path


class SupportResource(Resource):
    def search_faq(self, query: str | None = None, limit: int = 5) -> FaqSearchResults:
        return self._get(
            routes.FAQ, FaqSearchResults, params={"q": query, "limit": limit}, authenticated=False
        )

    def faq_article(self, article_id: str) -> FaqArticle:
        return self._get(
            path(routes.FAQ_ARTICLE, article_id=article_id), FaqArticle, authenticated=False
        )

    def tickets(self, status: TicketStatus | None = None) -> TicketList:
        return self._get(routes.TICKETS, TicketList, params={"status": status})

    def ticket(self, ticket_id: str) -> Ticket:
        return self._get(path(routes.TICKET, ticket_id=ticket_id), Ticket)

    def create_ticket(self, subject: str, category: TicketCategory, body: str) -> Ticket:
        return self._send(
            "POST",
            routes.TICKETS,
            Ticket,
            TicketCreate(subject=subject, category=category, body=body),
        )

    def reply(self, ticket_id: str, body: str) -> Ticket:
        return self._send(
            "POST",
            path(routes.TICKET_MESSAGES, ticket_id=ticket_id),
            Ticket,
            TicketReply(body=body),
        )

    def close(self, ticket_id: str) -> Ticket:
        return self._send("POST", path(routes.TICKET_CLOSE, ticket_id=ticket_id), Ticket)

    def start_chat(self) -> ChatSession:
        return self._send("POST", routes.CHATS, ChatSession)

    def say(self, chat_id: str, body: str) -> ChatMessageList:
        """Send a message; returns it and the agent's answer."""
        return self._send(
            "POST",
            path(routes.CHAT_MESSAGES, chat_id=chat_id),
            ChatMessageList,
            ChatMessageCreate(body=body),
        )

    def messages(
        self, chat_id: str, *, after: str | None = None, wait: float = 0
    ) -> ChatMessageList:
        """Messages after ``after``; ``wait`` long-polls up to that many seconds."""
        return self._get(
            path(routes.CHAT_MESSAGES, chat_id=chat_id),
            ChatMessageList,
            params={"after": after, "wait": wait or None},
        )


class EquipmentResource(Resource):
    def list(self) -> EquipmentList:
        return self._get(routes.EQUIPMENT, EquipmentList)

    def restart(self, equipment_id: str) -> Equipment:
        return self._send(
            "POST", path(routes.EQUIPMENT_RESTART, equipment_id=equipment_id), Equipment
        )
