//! The Tasks page's charts, drawn as plain SVG from `GET /api/stats`.

use leptos::prelude::*;

use crate::api::{DayStats, HourStats, StatsView};
use crate::client;
use crate::format;

/// Days the charts cover.
const DAYS: u32 = 7;

// The drawing's coordinates (the SVG scales to its box's width, so a chart
// drawn about as wide as it shows keeps its text readable): a margin on the
// left for the scale, one below for the days.
/// The hourly chart's width, over about half the page.
const WIDE: f64 = 720.0;
/// The daily charts' width, over about a quarter.
const NARROW: f64 = 400.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 6.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 20.0;
const PLOT_HEIGHT: f64 = HEIGHT - TOP - BOTTOM;

/// Tasks ended per hour, queue waits and bytes moved over the last week.
#[component]
pub fn TaskCharts() -> impl IntoView {
    let stats = RwSignal::new(None::<Result<StatsView, String>>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            stats.set(Some(client::stats(DAYS).await.map_err(|e| e.0)));
        });
    });

    view! {
        <section class="task-charts" aria-label="Charts">
            <h2>"The last 7 days"</h2>
            {move || match stats.get() {
                None => view! { <p class="empty">"Loading the figures…"</p> }.into_any(),
                Some(Err(e)) => {
                    view! { <p class="charts-error">{format!("The figures are not available: {e}")}</p> }
                        .into_any()
                }
                Some(Ok(stats)) if nothing_ended(&stats) => {
                    view! { <p class="empty charts-empty">"No tasks ended in the last 7 days."</p> }
                        .into_any()
                }
                Some(Ok(stats)) => {
                    view! {
                        <div class="charts">
                            {outcomes_chart(&stats)}
                            {queue_wait_chart(&stats.days)}
                            {bytes_chart(&stats.days)}
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

fn nothing_ended(stats: &StatsView) -> bool {
    stats
        .hours
        .iter()
        .all(|h| h.succeeded + h.failed + h.cancelled == 0)
}

/// One part of a bar: its value and what it stands for.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    /// The CSS class that colours it (`succeeded`, `p95`, …).
    class: &'static str,
    value: f64,
    /// The tooltip.
    title: String,
}

/// Bars side by side (each a stack of segments), under one label on the
/// day axis.
#[derive(Debug, Clone, PartialEq)]
struct Group {
    label: Option<String>,
    bars: Vec<Vec<Segment>>,
}

/// A segment placed in the drawing.
#[derive(Debug, Clone, PartialEq)]
struct Rect {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    class: &'static str,
    title: String,
}

/// Places every segment: groups share the width evenly, a group's bars
/// share 80% of its slot, and each bar stacks its segments from the base
/// line, scaled so the tallest bar reaches the top, in a drawing `width`
/// wide. Also answers each label's x and the largest bar's value.
fn layout(groups: &[Group], width: f64) -> (Vec<Rect>, Vec<(f64, String)>, f64) {
    let tallest = groups
        .iter()
        .flat_map(|g| g.bars.iter())
        .map(|bar| bar.iter().map(|s| s.value).sum::<f64>())
        .fold(0.0, f64::max);
    let scale = if tallest > 0.0 {
        PLOT_HEIGHT / tallest
    } else {
        0.0
    };
    let slot = (width - LEFT - RIGHT) / groups.len().max(1) as f64;
    let mut rects = Vec::new();
    let mut labels = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let x0 = LEFT + i as f64 * slot;
        if let Some(label) = &group.label {
            labels.push((x0, label.clone()));
        }
        let bar_width = slot * 0.8 / group.bars.len().max(1) as f64;
        for (j, bar) in group.bars.iter().enumerate() {
            let x = x0 + slot * 0.1 + j as f64 * bar_width;
            let mut base = TOP + PLOT_HEIGHT;
            for segment in bar.iter().filter(|s| s.value > 0.0) {
                let height = segment.value * scale;
                base -= height;
                rects.push(Rect {
                    x,
                    y: base,
                    width: bar_width,
                    height,
                    class: segment.class,
                    title: segment.title.clone(),
                });
            }
        }
    }
    (rects, labels, tallest)
}

/// A chart of `groups`, `width` wide, with its scale (`top_label` at the
/// top, 0 at the base), the days below and a legend.
fn chart(
    name: &'static str,
    width: f64,
    groups: Vec<Group>,
    top_label: impl Fn(f64) -> String,
    legend: &[(&'static str, &'static str)],
) -> impl IntoView {
    let (rects, labels, tallest) = layout(&groups, width);
    let base = TOP + PLOT_HEIGHT;
    view! {
        <figure class="chart" aria-label=name>
            <figcaption>{name}</figcaption>
            <svg
                viewBox=format!("0 0 {width} {HEIGHT}")
                role="img"
                aria-label=name
            >
                <line class="axis" x1=LEFT y1=base x2=width - RIGHT y2=base />
                <line class="grid" x1=LEFT y1=TOP x2=width - RIGHT y2=TOP />
                <text class="scale" x=LEFT - 6.0 y=TOP + 8.0 text-anchor="end">
                    {top_label(tallest)}
                </text>
                <text class="scale" x=LEFT - 6.0 y=base text-anchor="end">
                    "0"
                </text>
                {rects
                    .into_iter()
                    .map(|r| {
                        view! {
                            <rect
                                class=format!("bar {}", r.class)
                                x=r.x
                                y=r.y
                                width=r.width
                                height=r.height
                            >
                                <title>{r.title}</title>
                            </rect>
                        }
                    })
                    .collect_view()}
                {labels
                    .into_iter()
                    .map(|(x, label)| {
                        view! {
                            <text class="day" x=x + 2.0 y=HEIGHT - 4.0>
                                {label}
                            </text>
                        }
                    })
                    .collect_view()}
            </svg>
            <ul class="legend">
                {legend
                    .iter()
                    .map(|(class, label)| {
                        view! {
                            <li>
                                <span class=format!("swatch {class}")></span>
                                {*label}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </figure>
    }
}

/// Tasks that ended each hour, stacked by outcome; the days marked where
/// they begin.
fn outcomes_chart(stats: &StatsView) -> impl IntoView {
    let groups = stats
        .hours
        .iter()
        .map(|hour| Group {
            label: stats
                .days
                .iter()
                .find(|d| d.day == hour.at)
                .map(|d| format::day(d.day)),
            bars: vec![hour_segments(hour)],
        })
        .collect();
    chart(
        "Tasks ended per hour",
        WIDE,
        groups,
        |tallest| format!("{tallest:.0} tasks"),
        &[
            ("succeeded", "succeeded"),
            ("failed", "failed"),
            ("cancelled", "cancelled"),
        ],
    )
}

fn hour_segments(hour: &HourStats) -> Vec<Segment> {
    let when = format::time(hour.at);
    [
        ("succeeded", hour.succeeded),
        ("failed", hour.failed),
        ("cancelled", hour.cancelled),
    ]
    .into_iter()
    .map(|(class, n)| Segment {
        class,
        value: n as f64,
        title: format!("{when}: {n} {class}"),
    })
    .collect()
}

/// How long tasks waited in the queue before they started, each day: the
/// median and the 95th percentile side by side.
fn queue_wait_chart(days: &[DayStats]) -> impl IntoView {
    let groups = days
        .iter()
        .map(|day| {
            let label = format::day(day.day);
            let bar = |class: &'static str, which: &str, ms: Option<i64>| {
                vec![Segment {
                    class,
                    value: ms.unwrap_or(0) as f64,
                    title: match ms {
                        Some(ms) => format!("{label}: {which} waited {}", format::duration(ms)),
                        None => format!("{label}: no task started"),
                    },
                }]
            };
            Group {
                bars: vec![
                    bar("p50", "half the tasks", day.queue_wait_p50_ms),
                    bar("p95", "95% of the tasks", day.queue_wait_p95_ms),
                ],
                label: Some(label),
            }
        })
        .collect();
    chart(
        "Wait in the queue per day",
        NARROW,
        groups,
        |tallest| format::duration(tallest as i64),
        &[("p50", "median (p50)"), ("p95", "p95")],
    )
}

/// Bytes the tasks that ended each day moved.
fn bytes_chart(days: &[DayStats]) -> impl IntoView {
    let groups = days
        .iter()
        .map(|day| {
            let label = format::day(day.day);
            Group {
                bars: vec![vec![Segment {
                    class: "bytes",
                    value: day.bytes as f64,
                    title: format!("{label}: {}", format::bytes(day.bytes)),
                }]],
                label: Some(label),
            }
        })
        .collect();
    chart(
        "Bytes moved per day",
        NARROW,
        groups,
        |tallest| format::bytes(tallest as u64),
        &[("bytes", "bytes moved")],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(at: i64, succeeded: u64, failed: u64, cancelled: u64) -> HourStats {
        HourStats {
            at,
            succeeded,
            failed,
            cancelled,
        }
    }

    #[test]
    fn an_hour_stacks_its_outcomes_and_the_busiest_reaches_the_top() {
        let groups: Vec<Group> = [hour(0, 2, 1, 1), hour(1, 1, 0, 0)]
            .iter()
            .map(|h| Group {
                label: None,
                bars: vec![hour_segments(h)],
            })
            .collect();
        let (rects, labels, tallest) = layout(&groups, WIDE);
        assert!(labels.is_empty());
        assert_eq!(tallest, 4.0);
        // Three segments for the first hour, one for the second (empty
        // outcomes draw nothing).
        let classes: Vec<&str> = rects.iter().map(|r| r.class).collect();
        assert_eq!(
            classes,
            vec!["succeeded", "failed", "cancelled", "succeeded"]
        );
        let base = TOP + PLOT_HEIGHT;
        assert_eq!(rects[0].y + rects[0].height, base);
        assert_eq!(rects[1].y + rects[1].height, rects[0].y);
        assert!((rects[2].y - TOP).abs() < 1e-9);
        assert!((rects[3].height - PLOT_HEIGHT / 4.0).abs() < 1e-9);
        // The second hour sits in the second half of the width.
        assert!(rects[3].x > LEFT + (WIDE - LEFT - RIGHT) / 2.0);
    }

    #[test]
    fn paired_bars_sit_side_by_side_under_one_label() {
        let segment = |class, value| Segment {
            class,
            value,
            title: String::new(),
        };
        let groups = vec![Group {
            label: Some("Mon 1".into()),
            bars: vec![vec![segment("p50", 10.0)], vec![segment("p95", 40.0)]],
        }];
        let (rects, labels, tallest) = layout(&groups, NARROW);
        assert_eq!(labels, vec![(LEFT, "Mon 1".to_string())]);
        assert_eq!(tallest, 40.0);
        assert_eq!(rects[0].x + rects[0].width, rects[1].x);
        assert!((rects[0].height * 4.0 - rects[1].height).abs() < 1e-9);
    }

    #[test]
    fn an_empty_history_draws_no_bars() {
        let stats = StatsView {
            since: 0,
            hours: (0..168).map(|i| hour(i * 3_600_000, 0, 0, 0)).collect(),
            days: Vec::new(),
        };
        assert!(nothing_ended(&stats));
        let groups = vec![Group {
            label: None,
            bars: vec![hour_segments(&stats.hours[0])],
        }];
        assert!(layout(&groups, WIDE).0.is_empty());
    }
}
