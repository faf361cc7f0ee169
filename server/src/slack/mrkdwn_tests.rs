use super::*;

struct Known;

impl Names for Known {
    fn user(&self, id: &str) -> Option<String> {
        (id == "U024BE7LH").then(|| "alice".to_string())
    }
    fn channel(&self, id: &str) -> Option<String> {
        (id == "C024BE7LR").then(|| "deploys".to_string())
    }
}

fn md(text: &str) -> String {
    to_markdown(text, &Known)
}

#[test]
fn emphasis_is_markdowns() {
    assert_eq!(md("*passed* in 3 min"), "**passed** in 3 min");
    assert_eq!(md("_slow_ and ~flaky~"), "_slow_ and ~~flaky~~");
    assert_eq!(md("build (*main*): ok"), "build (**main**): ok");
    // Not emphasis where Slack does not read it.
    assert_eq!(md("2*3*4 and a * b * c"), "2*3*4 and a * b * c");
    assert_eq!(md("snake_case_name"), "snake_case_name");
    assert_eq!(md("*open\nclosed*"), "*open\nclosed*", "one line only");
}

#[test]
fn links_mentions_and_specials() {
    assert_eq!(
        md("<https://ci.example/42|main> is green"),
        "[main](https://ci.example/42) is green"
    );
    assert_eq!(
        md("see <https://ci.example/42>"),
        "see <https://ci.example/42>"
    );
    assert_eq!(
        md("<mailto:ops@example.com|ops>"),
        "[ops](mailto:ops@example.com)"
    );
    assert_eq!(md("<@U024BE7LH> and <@U999>"), "@alice and @U999");
    assert_eq!(md("in <#C024BE7LR|old-name>"), "in #deploys");
    assert_eq!(md("in <#C0UNKNOWN|general>"), "in #general");
    assert_eq!(md("<!here> <!channel> <!everyone>"), "@here @channel @all");
    assert_eq!(md("<!subteam^SAZ94GDB8|@oncall> look"), "@oncall look");
    assert_eq!(
        md("<!date^1392734382^{date_short}|Feb 18, 2014> ok"),
        "Feb 18, 2014 ok"
    );
    // A link label cannot close the link early; a script address is words.
    assert_eq!(
        md("<https://x.example|a] b>"),
        "[a\\] b](https://x.example)"
    );
    assert_eq!(md("<javascript:alert(1)|click>"), "click");
}

#[test]
fn entities_and_code() {
    assert_eq!(md("a &lt;b&gt; &amp; c"), "a \\<b> & c");
    assert_eq!(
        md("run `make *all*` then *check*"),
        "run `make *all*` then **check**"
    );
    assert_eq!(
        md("```\nif a &lt; b { *x* }\n```\n*done*"),
        "```\nif a < b { *x* }\n```\n**done**"
    );
    assert_eq!(md("an `unclosed *tick*"), "an `unclosed **tick**");
}
