//! The audit trail's tamper evidence.
//!
//! Every record carries a `row_mac`: HMAC-SM3 over its content and a random nonce, computed by
//! luodi when it writes the record, so a record written by anyone without the key is noticed.
//! A sealer later gives records, in the order they committed, a sequence number and a chain
//! MAC: HMAC-SM3 over the sequence number, the row MAC and the previous record's chain MAC.
//! Changing, removing or slipping in a sealed record breaks the chain at that point, and
//! [`Verifier`] says where.

use hmac::{KeyInit, Mac};

type HmacSm3 = hmac::Hmac<sm3::Sm3>;

/// The chain MAC before the first record.
pub const GENESIS: &str = "";

/// The HMAC key (any length; 32 random bytes are generated when none is configured).
#[derive(Clone)]
pub struct AuditKey(Vec<u8>);

impl AuditKey {
    pub fn new(bytes: Vec<u8>) -> Option<Self> {
        (bytes.len() >= 16).then_some(Self(bytes))
    }

    fn mac(&self) -> HmacSm3 {
        // HMAC takes a key of any length.
        match HmacSm3::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        }
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

/// What a record says, as the MAC covers it.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    /// When, in microseconds since the epoch (what both databases keep exactly).
    pub at_micros: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<&'a str>,
    pub org_path: Option<&'a str>,
    pub before_json: Option<&'a str>,
    pub after_json: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub outcome: &'a str,
    pub nonce: &'a str,
}

// Each field length-prefixed, so no two contents encode alike.
fn feed_str(m: &mut HmacSm3, v: Option<&str>) {
    match v {
        None => m.update(&[0]),
        Some(s) => {
            m.update(&[1]);
            m.update(&(s.len() as u64).to_le_bytes());
            m.update(s.as_bytes());
        }
    }
}

fn feed_int(m: &mut HmacSm3, v: Option<i64>) {
    match v {
        None => m.update(&[0]),
        Some(n) => {
            m.update(&[1]);
            m.update(&n.to_le_bytes());
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The MAC luodi writes with a record.
pub fn row_mac(key: &AuditKey, c: &Content<'_>) -> String {
    let mut m = key.mac();
    m.update(b"luodi.audit.row.v1");
    feed_int(&mut m, Some(c.at_micros));
    feed_int(&mut m, c.actor_id);
    feed_str(&mut m, Some(c.actor_name));
    feed_str(&mut m, Some(c.action));
    feed_str(&mut m, Some(c.object_type));
    feed_str(&mut m, c.object_id);
    feed_str(&mut m, c.org_path);
    feed_str(&mut m, c.before_json);
    feed_str(&mut m, c.after_json);
    feed_str(&mut m, c.ip);
    feed_str(&mut m, Some(c.outcome));
    feed_str(&mut m, Some(c.nonce));
    hex(&m.finalize().into_bytes())
}

/// The chain MAC of record `seq`, whose row MAC is `row_mac`, following `prev`.
pub fn chain_mac(key: &AuditKey, seq: i64, row_mac: &str, prev: &str) -> String {
    let mut m = key.mac();
    m.update(b"luodi.audit.chain.v1");
    feed_int(&mut m, Some(seq));
    feed_str(&mut m, Some(row_mac));
    feed_str(&mut m, Some(prev));
    hex(&m.finalize().into_bytes())
}

/// The MAC of a purge record: the point from which the remaining chain goes on.
pub fn purge_mac(key: &AuditKey, up_to_seq: i64, anchor_mac: &str, at_micros: i64) -> String {
    let mut m = key.mac();
    m.update(b"luodi.audit.purge.v1");
    feed_int(&mut m, Some(up_to_seq));
    feed_str(&mut m, Some(anchor_mac));
    feed_int(&mut m, Some(at_micros));
    hex(&m.finalize().into_bytes())
}

/// A sealed record as the verifier reads it.
#[derive(Debug, Clone, Copy)]
pub struct Sealed<'a> {
    pub id: i64,
    pub seq: i64,
    pub content: Content<'a>,
    pub row_mac: &'a str,
    pub mac: &'a str,
}

/// The first thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Break {
    /// The record's content no longer matches the MAC it was written with.
    Modified { id: i64, seq: Option<i64> },
    /// A record that luodi did not write (no valid row MAC), or a sealed record moved in the
    /// chain.
    Inserted { id: i64, seq: Option<i64> },
    /// Sequence numbers `from..=to` are missing.
    Deleted { from: i64, to: i64 },
    /// The chain ends before the last sealed sequence number recorded in its head.
    Truncated { last: i64, head: i64 },
    /// A purge record's MAC is wrong: the starting point of the chain was forged.
    ForgedPurge { up_to_seq: i64 },
    /// The chain ends at `head`, but it had reached `anchor` when that head was written down
    /// outside the database: the newest records were cut off and the head rewound.
    Cut { head: i64, anchor: i64 },
    /// The record at `seq` is not the one whose chain MAC was written down: the chain from
    /// there on was rewritten.
    Rewritten { seq: i64 },
}

/// A chain head written down outside the database (a published bulletin, the daily log line,
/// an operator's note): `SEQ:MAC`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub mac: String,
}

impl Anchor {
    pub fn parse(s: &str) -> Option<Anchor> {
        let (seq, mac) = s.trim().split_once(':')?;
        let seq = seq.trim().parse().ok().filter(|n: &i64| *n >= 0)?;
        let mac = mac.trim().to_ascii_lowercase();
        (!mac.is_empty() && mac.chars().all(|c| c.is_ascii_hexdigit()))
            .then_some(Anchor { seq, mac })
    }
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.mac)
    }
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |seq: &Option<i64>| seq.map(|s| format!(" (seq {s})")).unwrap_or_default();
        match self {
            Break::Modified { id, seq } => write!(f, "record {id}{} was modified", at(seq)),
            Break::Inserted { id, seq } => {
                write!(f, "record {id}{} was inserted outside luodi", at(seq))
            }
            Break::Deleted { from, to } if from == to => write!(f, "record seq {from} was deleted"),
            Break::Deleted { from, to } => write!(f, "records seq {from} to {to} were deleted"),
            Break::Truncated { last, head } => write!(
                f,
                "records after seq {last} were deleted (the chain head says {head})"
            ),
            Break::ForgedPurge { up_to_seq } => {
                write!(f, "the purge record up to seq {up_to_seq} was forged")
            }
            Break::Cut { head, anchor } => write!(
                f,
                "the chain ends at seq {head}, but it had reached seq {anchor} when its head was written down: the records after seq {head} were removed"
            ),
            Break::Rewritten { seq } => write!(
                f,
                "record seq {seq} is not the one written down: the chain was rewritten from there"
            ),
        }
    }
}

/// Walks the sealed chain in sequence order.
pub struct Verifier<'k> {
    key: &'k AuditKey,
    last_seq: i64,
    last_mac: String,
    pub checked: u64,
}

impl<'k> Verifier<'k> {
    /// Starts after `seq` whose chain MAC was `mac` (0 and [`GENESIS`] for a whole chain).
    pub fn new(key: &'k AuditKey, seq: i64, mac: &str) -> Self {
        Self {
            key,
            last_seq: seq,
            last_mac: mac.to_owned(),
            checked: 0,
        }
    }

    /// Checks the next sealed record.
    pub fn next(&mut self, r: &Sealed<'_>) -> Result<(), Break> {
        let own = row_mac(self.key, &r.content) == r.row_mac;
        if r.seq > self.last_seq + 1 {
            return Err(Break::Deleted {
                from: self.last_seq + 1,
                to: r.seq - 1,
            });
        }
        if chain_mac(self.key, r.seq, r.row_mac, &self.last_mac) != r.mac {
            // Not sealed in this place: forged, or a record moved or given another's seq.
            return Err(Break::Inserted {
                id: r.id,
                seq: Some(r.seq),
            });
        }
        if !own {
            // The chain holds for the MAC it was sealed with: the content changed since.
            return Err(Break::Modified {
                id: r.id,
                seq: Some(r.seq),
            });
        }
        self.last_seq = r.seq;
        self.last_mac = r.mac.to_owned();
        self.checked += 1;
        Ok(())
    }

    /// After the last sealed record: the head must name it.
    pub fn finish(&self, head_seq: i64, head_mac: &str) -> Result<(), Break> {
        if head_seq > self.last_seq {
            return Err(Break::Truncated {
                last: self.last_seq,
                head: head_seq,
            });
        }
        if head_seq < self.last_seq || head_mac != self.last_mac {
            return Err(Break::Inserted {
                id: 0,
                seq: Some(self.last_seq),
            });
        }
        Ok(())
    }

    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }
}

/// Checks a head written down earlier against the chain as verified: it ran from `first_seq`
/// (after the anchor of the last purge, `(start_seq, start_mac)`) to `last_seq`, and `mac_at`
/// is the chain MAC it holds at `anchor.seq` if that lies in it. `Ok(false)`: the anchor lies in
/// records already archived and purged (check it against the archive).
pub fn check_anchor(
    anchor: &Anchor,
    (start_seq, start_mac): (i64, &str),
    last_seq: i64,
    mac_at: Option<&str>,
) -> Result<bool, Break> {
    if anchor.seq < start_seq {
        return Ok(false);
    }
    if anchor.seq > last_seq {
        return Err(Break::Cut {
            head: last_seq,
            anchor: anchor.seq,
        });
    }
    let found = if anchor.seq == start_seq {
        Some(start_mac)
    } else {
        mac_at
    };
    if found.is_some_and(|m| m.eq_ignore_ascii_case(&anchor.mac)) {
        Ok(true)
    } else {
        Err(Break::Rewritten { seq: anchor.seq })
    }
}

/// Checks a record not sealed yet: luodi must have written it.
pub fn check_unsealed(
    key: &AuditKey,
    id: i64,
    content: &Content<'_>,
    mac: &str,
) -> Result<(), Break> {
    if row_mac(key, content) == mac {
        Ok(())
    } else {
        Err(Break::Inserted { id, seq: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AuditKey {
        AuditKey::new(b"0123456789abcdef0123456789abcdef".to_vec()).expect("key")
    }

    fn content<'a>(action: &'a str, nonce: &'a str) -> Content<'a> {
        Content {
            at_micros: 1_764_000_000_000_000,
            actor_id: Some(7),
            actor_name: "office",
            action,
            object_type: "item",
            object_id: Some("42"),
            org_path: Some("/1/"),
            before_json: None,
            after_json: Some("{\"status\":\"closed\"}"),
            ip: Some("10.0.0.1"),
            outcome: "ok",
            nonce,
        }
    }

    struct Row {
        id: i64,
        seq: i64,
        action: String,
        nonce: String,
        row_mac: String,
        mac: String,
    }

    fn chain(n: i64) -> Vec<Row> {
        let k = key();
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let action = format!("item.update.{seq}");
                let nonce = format!("n{seq}");
                let row_mac = row_mac(&k, &content(&action, &nonce));
                let mac = chain_mac(&k, seq, &row_mac, &prev);
                prev = mac.clone();
                Row {
                    id: seq * 10,
                    seq,
                    action,
                    nonce,
                    row_mac,
                    mac,
                }
            })
            .collect()
    }

    fn verify(rows: &[Row], head: (i64, &str)) -> Result<u64, Break> {
        let k = key();
        let mut v = Verifier::new(&k, 0, GENESIS);
        for r in rows {
            v.next(&Sealed {
                id: r.id,
                seq: r.seq,
                content: content(&r.action, &r.nonce),
                row_mac: &r.row_mac,
                mac: &r.mac,
            })?;
        }
        v.finish(head.0, head.1)?;
        Ok(v.checked)
    }

    #[test]
    fn hmac_sm3_matches_openssl() {
        // printf 'luodi audit' | openssl dgst -sm3 -hmac 0123456789abcdef0123456789abcdef
        let mut m = key().mac();
        m.update(b"luodi audit");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "636535f6dcd7fa8c0aa63ba89d8635229b66cc12ae05cf39302be13c38069e6c"
        );
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let rows = chain(5);
        let head = (5, rows[4].mac.clone());
        assert_eq!(verify(&rows, (head.0, &head.1)), Ok(5));
        assert_eq!(verify(&[], (0, GENESIS)), Ok(0));
    }

    #[test]
    fn a_changed_field_is_a_modified_record() {
        let mut rows = chain(5);
        let head = rows[4].mac.clone();
        rows[2].action = "item.delete".into();
        assert_eq!(
            verify(&rows, (5, &head)),
            Err(Break::Modified {
                id: 30,
                seq: Some(3)
            })
        );
    }

    #[test]
    fn a_removed_record_is_a_deletion() {
        let mut rows = chain(5);
        let head = rows[4].mac.clone();
        rows.remove(1);
        assert_eq!(
            verify(&rows, (5, &head)),
            Err(Break::Deleted { from: 2, to: 2 })
        );
        let mut rows = chain(5);
        rows.truncate(3);
        assert_eq!(
            verify(&rows, (5, &head)),
            Err(Break::Truncated { last: 3, head: 5 })
        );
    }

    #[test]
    fn a_record_slipped_in_is_an_insertion() {
        let k = key();
        let mut rows = chain(5);
        let head = rows[4].mac.clone();
        // Someone without the key writes a plausible record in seq 3's place.
        let forged = "0".repeat(64);
        rows[2].row_mac = forged.clone();
        rows[2].mac = chain_mac(&AuditKey::new(vec![1; 32]).expect("key"), 3, &forged, "");
        assert_eq!(
            verify(&rows, (5, &head)),
            Err(Break::Inserted {
                id: 30,
                seq: Some(3)
            })
        );
        // A record luodi wrote, moved to another place in the chain.
        let mut rows = chain(5);
        rows.swap(1, 2);
        rows[1].seq = 2;
        rows[2].seq = 3;
        assert!(matches!(
            verify(&rows, (5, &head)),
            Err(Break::Inserted { .. })
        ));
        // An unsealed record must carry luodi's row MAC.
        let c = content("login", "x");
        assert_eq!(check_unsealed(&k, 9, &c, &row_mac(&k, &c)), Ok(()));
        assert_eq!(
            check_unsealed(&k, 9, &c, &forged),
            Err(Break::Inserted { id: 9, seq: None })
        );
    }

    #[test]
    fn another_key_verifies_nothing() {
        let rows = chain(2);
        let other = AuditKey::new(vec![9; 32]).expect("key");
        let mut v = Verifier::new(&other, 0, GENESIS);
        let r = &rows[0];
        assert!(v
            .next(&Sealed {
                id: r.id,
                seq: r.seq,
                content: content(&r.action, &r.nonce),
                row_mac: &r.row_mac,
                mac: &r.mac,
            })
            .is_err());
        assert!(AuditKey::new(vec![1; 8]).is_none());
    }

    #[test]
    fn encoding_separates_fields() {
        let k = key();
        let mut a = content("ab", "n");
        a.object_id = Some("c");
        let mut b = content("a", "n");
        b.object_id = Some("bc");
        assert_ne!(row_mac(&k, &a), row_mac(&k, &b));
        let mut c = content("a", "n");
        c.ip = None;
        let mut d = content("a", "n");
        d.ip = Some("");
        assert_ne!(row_mac(&k, &c), row_mac(&k, &d));
    }
}

#[cfg(test)]
mod anchor_tests {
    use super::*;

    #[test]
    fn a_written_down_head_catches_a_cut_tail_and_a_rewrite() {
        let a = Anchor::parse(" 120:ABCdef ").expect("anchor");
        assert_eq!(a.to_string(), "120:abcdef");
        assert_eq!(Anchor::parse("120"), None);
        assert_eq!(Anchor::parse("x:ab"), None);
        assert_eq!(Anchor::parse("12:zz"), None);
        let start = (0, GENESIS);
        assert_eq!(check_anchor(&a, start, 150, Some("abcdef")), Ok(true));
        assert_eq!(
            check_anchor(&a, start, 100, None),
            Err(Break::Cut {
                head: 100,
                anchor: 120
            })
        );
        assert_eq!(
            check_anchor(&a, start, 150, Some("012345")),
            Err(Break::Rewritten { seq: 120 })
        );
        // Purged: the purge's anchor can be checked, older records only against the archive.
        assert_eq!(check_anchor(&a, (120, "abcdef"), 200, None), Ok(true));
        assert_eq!(check_anchor(&a, (130, "ffff"), 200, None), Ok(false));
    }
}
