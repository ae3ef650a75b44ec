"""Mail as it really is, turned into clean data: a plain library with no Django import.

- `message`: parse one message's bytes (MIME, charsets, HTML, attachments, nested mail),
  with its helpers `charsets`, `headers`, `mime` and `htmlbody` (sanitising and HTML to text).
- `quotes`: separate a message's new text from the quoted history and the signature.
- `sources`: read messages one at a time from .eml files, mbox and Maildir, resumably.
- `imap`: fetch new messages from an IMAP account by UIDVALIDITY/UID.
"""
