//! Reproducible builds: the same content gives the same bytes, file for file, whatever
//! the run, the site's path, the time or the time zone (no timestamps, no hash-map order).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assert_cmd::cargo::CommandCargoExt;

use crate::links::builtin_with;
use crate::support::{Run, Site, bundled_copy, files_below};

/// `build` of `site` into `output`, with the time zone set to `tz`.
fn build(site: &Site, output: &Path, tz: &str) {
    let mut command = Command::cargo_bin("factsheet").unwrap();
    command
        .arg("build")
        .arg("--root")
        .arg(site.path())
        .arg("--output")
        .arg(output)
        .env("TZ", tz)
        .env("NO_COLOR", "1")
        .current_dir(output.parent().unwrap());
    Run::of(command).assert_code(0);
}

/// The files that differ between two outputs, with the first differing line of each.
fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let paths: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter(|path| a.get(*path) != b.get(*path))
        .map(|path| match (a.get(path), b.get(path)) {
            (Some(x), Some(y)) => {
                let (x, y) = (String::from_utf8_lossy(x), String::from_utf8_lossy(y));
                let line = x
                    .lines()
                    .zip(y.lines())
                    .find(|(l, r)| l != r)
                    .map(|(l, r)| format!("\n  - {l}\n  + {r}"))
                    .unwrap_or_default();
                format!("{path} differs{line}")
            }
            (Some(_), None) => format!("{path} only in the first"),
            _ => format!("{path} only in the second"),
        })
        .collect()
}

/// The bundled site with a `base_url`, so that everything is written (sitemap, feed).
fn published_copy() -> Site {
    let site = bundled_copy();
    let config = site.read("content/site.yaml");
    site.file(
        "content/site.yaml",
        &format!("{config}base_url: https://facts.example.org/sheet/\n"),
    )
}

#[test]
fn two_builds_of_the_bundled_site_are_byte_identical() {
    let site = published_copy();
    let outputs = tempfile::tempdir().unwrap();
    let (first, second) = (outputs.path().join("one"), outputs.path().join("two"));
    // Time zones a day apart, and a pause past the second: a date or a time of the build
    // written anywhere shows as a difference.
    build(&site, &first, "Pacific/Kiritimati");
    std::thread::sleep(Duration::from_millis(1100));
    build(&site, &second, "Etc/GMT+12");
    let (a, b) = (files_below(&first), files_below(&second));
    assert!(a.len() > 5, "the build writes the site: {:?}", a.keys());
    let differing = differences(&a, &b);
    assert!(
        differing.is_empty(),
        "two builds differ:\n{}",
        differing.join("\n")
    );

    // The same content at another path builds to the same bytes (no path leaks in).
    let elsewhere = published_copy();
    let moved = elsewhere.path().join("public");
    build(&elsewhere, &moved, "UTC");
    let differing = differences(&a, &files_below(&moved));
    assert!(
        differing.is_empty(),
        "a copy at another path builds differently:\n{}",
        differing.join("\n")
    );
}

#[test]
fn a_template_looping_over_a_map_renders_the_same_every_time() {
    // Tera's maps are hash maps seeded per process unless it keeps their order: a site's
    // template that loops over one (here `site`, a map of the site's settings) must still
    // render the same page on every build.
    let site = Site::new().file(
        "templates/topic.html",
        &builtin_with(
            "topic.html",
            "{% endblock content %}",
            "<p>{% for key, value in site %}{{ key }} {% endfor %}</p>",
        ),
    );
    let outputs = tempfile::tempdir().unwrap();
    let builds: Vec<BTreeMap<String, Vec<u8>>> = ["one", "two", "three"]
        .into_iter()
        .map(|name| {
            let output = outputs.path().join(name);
            build(&site, &output, "UTC");
            files_below(&output)
        })
        .collect();
    for other in &builds[1..] {
        let differing = differences(&builds[0], other);
        assert!(
            differing.is_empty(),
            "builds differ:\n{}",
            differing.join("\n")
        );
    }
}

#[test]
fn the_output_carries_no_date_of_the_build() {
    let site = published_copy();
    let output = site.path().join("public");
    build(&site, &output, "UTC");
    let content: String = files_below(&site.path().join("content"))
        .into_values()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    for day in [days - 1, days, days + 1] {
        let date = civil_date(day as i64);
        if content.contains(&date) {
            continue; // the content itself names that day
        }
        for (path, bytes) in files_below(&output) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(&date), "{path} names the build's day {date}");
        }
    }
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (H. Hinnant's civil-from-days).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[test]
fn civil_dates_are_right() {
    assert_eq!(civil_date(0), "1970-01-01");
    assert_eq!(civil_date(19_723), "2024-01-01");
    assert_eq!(civil_date(20_513), "2026-03-01");
}
