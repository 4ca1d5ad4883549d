-- +goose Up
-- Files that came with a message: attachments of an email reply, or files
-- posted on the web or through the API. A refused file (an executable, or
-- over a limit) keeps its row with the reason and no body, so the message
-- can say what was not accepted.
CREATE TABLE attachments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id   bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position     int NOT NULL,
    name         text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       bytea,
    -- where the body is: 'db' (attachment_bodies) or 'bucket' (under the
    -- hex SHA-256 in the configured bucket); '' for a refused file
    storage      text NOT NULL CHECK (storage IN ('db', 'bucket', '')),
    refused      text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (message_id, position)
);
CREATE INDEX attachments_sha256 ON attachments (sha256) WHERE sha256 IS NOT NULL;

-- Bodies kept in the database, one per content: the same receipt sent
-- twice is stored once.
CREATE TABLE attachment_bodies (
    sha256 bytea PRIMARY KEY,
    data   bytea NOT NULL
);

-- Server-made previews of raster images, one per content and size.
CREATE TABLE attachment_previews (
    sha256       bytea NOT NULL,
    max_side     int NOT NULL,
    content_type text NOT NULL,
    data         bytea NOT NULL,
    PRIMARY KEY (sha256, max_side)
);

-- +goose Down
DROP TABLE attachment_previews;
DROP TABLE attachment_bodies;
DROP TABLE attachments;
