-- The career chatbot's conversations (projection `chat_conversations`). State and texts are personal
-- data: ErasureRequested deletes them. Message texts are kept only with the chat_history consent.
CREATE TABLE IF NOT EXISTS chat_conversations (
    conversation_id  text PRIMARY KEY,
    user_id          text NOT NULL,
    version          integer NOT NULL,          -- user messages accepted
    answered         integer NOT NULL,          -- bot answers applied
    state            jsonb NOT NULL,
    recent_ids       jsonb NOT NULL DEFAULT '[]', -- message ids seen (duplicates are ignored)
    started_at       timestamptz,
    updated_at       timestamptz,
    last_event_id    text
);
CREATE INDEX IF NOT EXISTS chat_conversations_user ON chat_conversations (user_id, updated_at DESC);

CREATE TABLE IF NOT EXISTS chat_messages (
    message_id       text PRIMARY KEY,
    conversation_id  text NOT NULL,
    user_id          text NOT NULL,
    seq              integer NOT NULL,
    role             text NOT NULL,             -- user | bot
    text             text,
    intent           text,
    confidence       double precision,
    cards            jsonb NOT NULL DEFAULT '[]',
    in_reply_to      text,
    occurred_at      timestamptz
);
CREATE INDEX IF NOT EXISTS chat_messages_conversation ON chat_messages (conversation_id, seq, role);
CREATE INDEX IF NOT EXISTS chat_messages_user ON chat_messages (user_id);

-- Per user: chat consents, the conversation ids (to drop their Redis contexts on erasure) and the
-- erasure tombstone (chat events still in flight after it are ignored).
CREATE TABLE IF NOT EXISTS chat_users (
    user_id          text PRIMARY KEY,
    chat_history     boolean NOT NULL DEFAULT false,
    llm_feedback     boolean NOT NULL DEFAULT false,
    conversations    jsonb NOT NULL DEFAULT '[]',
    erased_at        timestamptz
);
