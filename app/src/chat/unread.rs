//! The client's read state of every room: counting what arrives (as a
//! message of a joined room or as `activity` for the others) once, clearing
//! it when read here or elsewhere, and what the sidebar and the tab title
//! show. Pure functions over the room list, so the rules are tested here and
//! the browser runtime only calls them.

use std::collections::HashMap;

use super::RoomOrder;
use crate::protocol::{NotificationLevel, RoomId, RoomInfo, Seq};

/// Counts a new message of `room` at `seq` (a `message` frame or
/// `activity`). A `seq` not past the room's latest was counted already (the
/// same message as `activity`, then replayed on join) and counts nothing.
/// `unseen`: the user is not looking at the room, so it is unread. Answers
/// whether the message was new.
pub fn count(rooms: &mut [RoomInfo], room: &str, seq: Seq, mention: bool, unseen: bool) -> bool {
    let Some(info) = rooms.iter_mut().find(|r| r.id == room) else {
        return false;
    };
    if seq <= info.latest_seq {
        return false;
    }
    info.latest_seq = seq;
    if unseen && seq > info.last_read_seq {
        info.unread += 1;
        info.mentions += u32::from(mention);
    }
    true
}

/// Any entry (an edit, a reaction) moved the room's latest `seq`.
pub fn seen_seq(rooms: &mut [RoomInfo], room: &str, seq: Seq) {
    if let Some(info) = rooms.iter_mut().find(|r| r.id == room) {
        info.latest_seq = info.latest_seq.max(seq);
    }
}

/// The read marker moved to `seq` (here or on another device). Answers
/// false when the counts cannot be known here (read up to a point short of
/// the latest): the caller asks the server.
pub fn read(rooms: &mut [RoomInfo], room: &str, seq: Seq) -> bool {
    let Some(info) = rooms.iter_mut().find(|r| r.id == room) else {
        return true;
    };
    info.last_read_seq = info.last_read_seq.max(seq);
    if info.last_read_seq >= info.latest_seq {
        info.unread = 0;
        info.mentions = 0;
        true
    } else {
        false
    }
}

/// A message counted here, remembered while the room list is being fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counted {
    pub room: RoomId,
    pub seq: Seq,
    pub mention: bool,
    pub unseen: bool,
}

/// The room list the server sent, with what was counted here after the
/// server read it (`counted_since`: messages counted while the request was
/// in flight) added back, so nothing is lost or counted twice.
pub fn merge(mut fresh: Vec<RoomInfo>, counted_since: &[Counted]) -> Vec<RoomInfo> {
    for c in counted_since {
        count(&mut fresh, &c.room, c.seq, c.mention, c.unseen);
    }
    fresh
}

/// What the user should look at, as the room's notification level says:
/// every unread message (`all`: a direct room's default), mentions
/// (`mentions`: other rooms' default), nothing (`none`, or a muted room).
pub fn attention(room: &RoomInfo) -> u32 {
    if room.muted || !room.member {
        return 0;
    }
    match room.notifications {
        NotificationLevel::All => room.unread,
        NotificationLevel::Mentions => room.mentions,
        NotificationLevel::None => 0,
    }
}

/// The tab's title: "(3) Confab" with three mentions or direct messages unread.
pub fn title(rooms: &[RoomInfo]) -> String {
    match rooms.iter().map(attention).sum::<u32>() {
        0 => "Confab".to_string(),
        n => format!("({n}) Confab"),
    }
}

/// A room is shown bold: it has unread messages and is neither muted nor
/// set to notify of nothing.
pub fn bold(room: &RoomInfo) -> bool {
    room.member && !room.muted && room.notifications != NotificationLevel::None && room.unread > 0
}

/// The sidebar's order within a section. By [`RoomOrder::Recent`]: rooms
/// one belongs to first, then those with something to look at, then the
/// most recently active (`recent`: a counter bumped as activity arrives on
/// this page; before that, the room's `last_activity` as the server said),
/// then by name. By [`RoomOrder::Alphabetical`]: by name only.
pub fn sorted<'a>(
    rooms: impl Iterator<Item = &'a RoomInfo>,
    recent: &HashMap<RoomId, u64>,
    order: RoomOrder,
) -> Vec<RoomInfo> {
    let mut list: Vec<RoomInfo> = rooms.cloned().collect();
    let by_name = |a: &RoomInfo, b: &RoomInfo| a.name.to_lowercase().cmp(&b.name.to_lowercase());
    match order {
        RoomOrder::Alphabetical => list.sort_by(by_name),
        RoomOrder::Recent => list.sort_by(|a, b| {
            b.member
                .cmp(&a.member)
                .then((attention(b) > 0).cmp(&(attention(a) > 0)))
                .then(recent.get(&b.id).cmp(&recent.get(&a.id)))
                .then(b.last_activity.cmp(&a.last_activity))
                .then(by_name(a, b))
        }),
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::RoomKind;

    fn room(id: &str, kind: RoomKind, latest: Seq, read: Seq) -> RoomInfo {
        RoomInfo {
            id: id.into(),
            name: id.into(),
            kind,
            member: true,
            latest_seq: latest,
            last_read_seq: read,
            notifications: NotificationLevel::default_for(kind),
            ..RoomInfo::default()
        }
    }

    #[test]
    fn the_level_decides_what_asks_for_attention() {
        let mut team = room("team", RoomKind::Public, 9, 0);
        (team.unread, team.mentions) = (5, 2);
        assert_eq!(attention(&team), 2);
        team.notifications = NotificationLevel::All;
        assert_eq!(attention(&team), 5);
        team.notifications = NotificationLevel::None;
        assert_eq!(attention(&team), 0);
        assert!(!bold(&team), "nothing: not bold either");
        let mut dm = room("dm:a:b", RoomKind::Direct, 3, 0);
        dm.unread = 3;
        dm.notifications = NotificationLevel::Mentions;
        assert_eq!(attention(&dm), 0, "a direct room set to mentions");
    }

    #[test]
    fn a_message_counts_once_however_it_arrives() {
        let mut rooms = vec![room("team", RoomKind::Public, 4, 4)];
        assert!(count(&mut rooms, "team", 5, true, true)); // as activity
        assert!(!count(&mut rooms, "team", 5, true, true)); // replayed on join
        assert_eq!((rooms[0].unread, rooms[0].mentions), (1, 1));
        assert!(count(&mut rooms, "team", 6, false, false)); // read as it came
        assert_eq!((rooms[0].unread, rooms[0].latest_seq), (1, 6));
    }

    #[test]
    fn reading_to_the_end_clears_and_short_of_it_asks_the_server() {
        let mut rooms = vec![room("team", RoomKind::Public, 4, 0)];
        rooms[0].unread = 3;
        assert!(!read(&mut rooms, "team", 2));
        assert_eq!((rooms[0].unread, rooms[0].last_read_seq), (3, 2));
        assert!(read(&mut rooms, "team", 4));
        assert_eq!(rooms[0].unread, 0);
        assert!(read(&mut rooms, "team", 1)); // never back
        assert_eq!(rooms[0].last_read_seq, 4);
    }

    #[test]
    fn a_fresh_list_keeps_what_came_while_it_was_read() {
        let fresh = vec![room("team", RoomKind::Public, 5, 3)];
        let counted = |seq, mention| Counted {
            room: "team".into(),
            seq,
            mention,
            unseen: true,
        };
        // The first was counted by the server already.
        let merged = merge(fresh, &[counted(5, false), counted(6, true)]);
        assert_eq!(
            (merged[0].latest_seq, merged[0].unread, merged[0].mentions),
            (6, 1, 1)
        );
    }

    #[test]
    fn the_title_counts_mentions_and_direct_messages_not_muted_rooms() {
        let mut team = room("team", RoomKind::Public, 9, 0);
        (team.unread, team.mentions) = (5, 2);
        let mut dm = room("dm:a:b", RoomKind::Direct, 3, 0);
        dm.unread = 1;
        let mut muted = room("noise", RoomKind::Public, 9, 0);
        (muted.unread, muted.mentions, muted.muted) = (9, 9, true);
        assert_eq!(title(&[team.clone(), dm, muted.clone()]), "(3) Confab");
        assert_eq!(title(&[muted.clone()]), "Confab");
        assert!(bold(&team) && !bold(&muted));
    }

    #[test]
    fn rooms_with_news_and_recent_activity_come_first() {
        let quiet = room("alpha", RoomKind::Direct, 1, 1);
        let mut busy = room("zed", RoomKind::Direct, 5, 1);
        busy.unread = 4;
        let recent_one = room("mid", RoomKind::Direct, 1, 1);
        let recent = HashMap::from([("mid".to_string(), 7)]);
        let rooms = [&quiet, &busy, &recent_one];
        let ids = |order| -> Vec<String> {
            sorted(rooms.into_iter(), &recent, order)
                .into_iter()
                .map(|r| r.id)
                .collect()
        };
        assert_eq!(ids(RoomOrder::Recent), ["zed", "mid", "alpha"]);
        assert_eq!(ids(RoomOrder::Alphabetical), ["alpha", "mid", "zed"]);
    }
}
