//! Spotting a request head that carries both `Content-Length` and `Transfer-Encoding`.
//!
//! RFC 9112 lets a server either reject such a request or let `Transfer-Encoding` win and
//! close the connection afterwards. hyper does the latter and drops `Content-Length`
//! before the service sees the request, so nothing in the parsed request tells. Since two
//! framings are the shape of a request-smuggling attempt, FasterAPI rejects it (400): the
//! header names are watched as the head's bytes come in, whatever reads they arrive in.

/// The longest header name we look for, with its colon.
const LONGEST: usize = b"transfer-encoding:".len();

/// Follows the bytes of one request head, line by line.
#[derive(Default)]
pub struct HeadScan {
    /// The first bytes of the current line, lowercased (up to `LONGEST`).
    line_start: [u8; LONGEST],
    line_len: usize,
    /// Bytes seen on the current line (to recognise the empty line ending the head).
    line_bytes: usize,
    content_length: bool,
    transfer_encoding: bool,
    ended: bool,
}

impl HeadScan {
    /// Starts over for the head of the next request.
    pub fn restart(&mut self) {
        *self = HeadScan::default();
    }

    /// Takes the next bytes of the head (bytes after its end are ignored).
    pub fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.ended {
                return;
            }
            if byte == b'\n' {
                // "\r\n" or a bare "\n" alone on a line ends the head.
                let content = self.line_bytes - usize::from(self.line_len > 0 && self.ends_cr());
                if content == 0 {
                    self.ended = true;
                }
                self.line_len = 0;
                self.line_bytes = 0;
                continue;
            }
            self.line_bytes += 1;
            if self.line_len < LONGEST && self.line_len + 1 == self.line_bytes {
                self.line_start[self.line_len] = byte.to_ascii_lowercase();
                self.line_len += 1;
                self.check_name();
            }
        }
    }

    /// Whether the head has both framings.
    pub fn has_two_framings(&self) -> bool {
        self.content_length && self.transfer_encoding
    }

    fn ends_cr(&self) -> bool {
        self.line_bytes == 1 && self.line_start[0] == b'\r'
    }

    fn check_name(&mut self) {
        let seen = &self.line_start[..self.line_len];
        if seen == b"content-length:" {
            self.content_length = true;
        } else if seen == b"transfer-encoding:" {
            self.transfer_encoding = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HeadScan;

    fn scan(pieces: &[&[u8]]) -> bool {
        let mut scan = HeadScan::default();
        for piece in pieces {
            scan.feed(piece);
        }
        scan.has_two_framings()
    }

    #[test]
    fn both_framings_are_found_in_either_order_and_any_case() {
        let head = b"POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(scan(&[head]));
        let head = b"POST / HTTP/1.1\r\ntransfer-ENCODING: chunked\r\ncontent-length: 4\r\n\r\n";
        assert!(scan(&[head]));
    }

    #[test]
    fn names_split_across_reads_are_found() {
        let head = b"POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n";
        for split in 0..head.len() {
            assert!(scan(&[&head[..split], &head[split..]]), "split at {split}");
        }
        let bytes: Vec<&[u8]> = head.chunks(1).collect();
        assert!(scan(&bytes));
    }

    #[test]
    fn one_framing_or_lookalikes_are_not_flagged() {
        assert!(!scan(&[b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n"]));
        assert!(!scan(&[
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        ]));
        // A value or another header merely containing the names.
        assert!(!scan(&[
            b"POST / HTTP/1.1\r\nX-Note: transfer-encoding:\r\nContent-Length: 4\r\n\r\n"
        ]));
        assert!(!scan(&[
            b"POST / HTTP/1.1\r\nX-Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        ]));
    }

    #[test]
    fn the_body_and_what_follows_the_head_are_ignored() {
        let request =
            b"POST / HTTP/1.1\r\nContent-Length: 32\r\n\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(!scan(&[request]));
        let bare_newlines = b"POST / HTTP/1.1\nContent-Length: 32\n\nTransfer-Encoding: x\n\n";
        assert!(!scan(&[bare_newlines]));
    }

    #[test]
    fn restart_forgets_the_previous_head() {
        let mut scan = HeadScan::default();
        scan.feed(b"POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n");
        assert!(scan.has_two_framings());
        scan.restart();
        scan.feed(b"GET / HTTP/1.1\r\n\r\n");
        assert!(!scan.has_two_framings());
    }
}
