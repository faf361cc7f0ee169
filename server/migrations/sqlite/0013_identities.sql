-- Accounts signed in through an OpenID provider (docs/DESIGN.md,
-- "Integrations"): the provider's issuer and its subject (the ID token's
-- "sub", stable for one person at one provider) name one Confab user. An
-- account may have a password, an identity, or both.
CREATE TABLE identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX identities_user ON identities (user_id);
