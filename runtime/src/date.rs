//! Calendar dates (proleptic Gregorian, years 1 to 9999) and calendar periods.
//!
//! Dates are what recipient records and `.guide` literals hold (`2024-02-29`); periods are the
//! right-hand side of calendar arithmetic (`data_primo_pagamento + 6 months`).

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar date in the proleptic Gregorian calendar, between 0001-01-01 and 9999-12-31.
///
/// The range keeps the ISO form `YYYY-MM-DD` unambiguous. Dates order chronologically and
/// serialise as ISO strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// A calendar period: a number of months, then a number of days (either may be negative).
///
/// `1 year` is 12 months and `2 weeks` is 14 days; see [`Date::add_period`] for how a period is
/// applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Period {
    months: i32,
    days: i32,
}

/// Days from 0001-01-01 to 1970-01-01, negated: [`Date::MIN`]`.to_days()`.
const MIN_DAYS: i64 = -719_162;
/// Days from 1970-01-01 to 9999-12-31: [`Date::MAX`]`.to_days()`.
const MAX_DAYS: i64 = 2_932_896;

/// Whether `year` is a leap year in the Gregorian calendar.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days of `month` (1 to 12) in `year`; 0 for a month out of range.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The earliest representable date, 0001-01-01.
    pub const MIN: Date = Date {
        year: 1,
        month: 1,
        day: 1,
    };

    /// The latest representable date, 9999-12-31.
    pub const MAX: Date = Date {
        year: 9999,
        month: 12,
        day: 31,
    };

    /// The date `year`-`month`-`day`, or `None` if it does not exist (2023-02-30) or the year is
    /// outside 1 to 9999.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=9999).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD` (four, two and two ASCII digits), checking the date exists.
    pub fn parse_iso(s: &str) -> Option<Date> {
        Date::parse_iso_bytes(s.as_bytes())
    }

    /// [`Date::parse_iso`] over bytes.
    pub(crate) fn parse_iso_bytes(b: &[u8]) -> Option<Date> {
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let year = digits(b.get(0..4)?)?;
        let month = digits(b.get(5..7)?)?;
        let day = digits(b.get(8..10)?)?;
        Date::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// The year (1 to 9999).
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month (1 to 12).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month (1 to 31).
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's `days_from_civil`, with March as the first month of the year.
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month_from_march = (month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` days after 1970-01-01, or `None` outside [`Date::MIN`]..=[`Date::MAX`].
    pub fn from_days(days: i64) -> Option<Date> {
        if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
            return None;
        }
        // Howard Hinnant's `civil_from_days`.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// This date plus `period`: first the months, clamping the day to the end of the resulting
    /// month (2024-01-31 + 1 month = 2024-02-29), then the days. `None` when the result falls
    /// outside [`Date::MIN`]..=[`Date::MAX`].
    pub fn add_period(self, period: Period) -> Option<Date> {
        let month_index = i64::from(self.year) * 12 + i64::from(self.month) - 1;
        let month_index = month_index + i64::from(period.months);
        let year = i32::try_from(month_index.div_euclid(12)).ok()?;
        let month = u8::try_from(month_index.rem_euclid(12) + 1).ok()?;
        if !(1..=9999).contains(&year) {
            return None;
        }
        let day = self.day.min(days_in_month(year, month));
        let moved = Date::new(year, month, day)?;
        Date::from_days(moved.to_days() + i64::from(period.days))
    }

    /// This date minus `period`: [`Date::add_period`] with the period negated.
    pub fn sub_period(self, period: Period) -> Option<Date> {
        self.add_period(period.checked_neg()?)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.to_days() - self.to_days()
    }

    /// Whole months from `self` to `other`: for `other` on or after `self`, the largest `n` such
    /// that `self + n months` (clamped to the end of the month, as [`Date::add_period`] does) is
    /// on or before `other`; for `other` before `self`, minus the whole months from `other` to
    /// `self`. So a child born on 2020-02-29 is 12 months old on 2021-02-28, and from
    /// 2024-01-31 to 2024-02-29 is one month.
    pub fn months_until(self, other: Date) -> i64 {
        if other < self {
            return -other.months_until(self);
        }
        let index = |d: Date| i64::from(d.year) * 12 + i64::from(d.month);
        let months = index(other) - index(self);
        // `self + months months` lands in `other`'s month: one month too many when its day
        // (clamped) is after `other`'s day.
        let day = self.day.min(days_in_month(other.year, other.month));
        if day > other.day {
            months - 1
        } else {
            months
        }
    }

    /// Whole years from `self` to `other`: [`Date::months_until`] divided by 12, rounded toward
    /// zero. An age: `born.years_until(today)`.
    pub fn years_until(self, other: Date) -> i64 {
        self.months_until(other) / 12
    }
}

/// The value of a run of ASCII digits, or `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        if c.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u32::from(c - b'0'))
        } else {
            None
        }
    })
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date written YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Date, E> {
                Date::parse_iso(s).ok_or_else(|| E::invalid_value(de::Unexpected::Str(s), &self))
            }
        }
        d.deserialize_str(V)
    }
}

impl Period {
    /// A period of `months` months, then `days` days.
    pub const fn new(months: i32, days: i32) -> Period {
        Period { months, days }
    }

    /// A period of whole months.
    pub const fn months_only(months: i32) -> Period {
        Period { months, days: 0 }
    }

    /// A period of whole days.
    pub const fn days_only(days: i32) -> Period {
        Period { months: 0, days }
    }

    /// A period of whole weeks (7 days each), or `None` on overflow.
    pub fn weeks(weeks: i32) -> Option<Period> {
        Some(Period::days_only(weeks.checked_mul(7)?))
    }

    /// A period of whole years (12 months each), or `None` on overflow.
    pub fn years(years: i32) -> Option<Period> {
        Some(Period::months_only(years.checked_mul(12)?))
    }

    /// The months part.
    pub fn months(self) -> i32 {
        self.months
    }

    /// The days part.
    pub fn days(self) -> i32 {
        self.days
    }

    /// The opposite period, or `None` on overflow.
    pub fn checked_neg(self) -> Option<Period> {
        Some(Period {
            months: self.months.checked_neg()?,
            days: self.days.checked_neg()?,
        })
    }

    /// The difference of two periods (months from months, days from days), or `None` on
    /// overflow.
    pub fn checked_sub(self, other: Period) -> Option<Period> {
        Some(Period {
            months: self.months.checked_sub(other.months)?,
            days: self.days.checked_sub(other.days)?,
        })
    }

    /// The sum of two periods (months with months, days with days), or `None` on overflow.
    pub fn checked_add(self, other: Period) -> Option<Period> {
        Some(Period {
            months: self.months.checked_add(other.months)?,
            days: self.days.checked_add(other.days)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn validity_and_leap_years() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(2023, 4, 31).is_none());
        assert!(Date::new(2023, 4, 30).is_some());
        assert!(Date::new(2023, 13, 1).is_none());
        assert!(Date::new(2023, 0, 1).is_none());
        assert!(Date::new(2023, 1, 0).is_none());
        assert!(Date::new(0, 1, 1).is_none());
        assert!(Date::new(10_000, 1, 1).is_none());
        assert!(Date::new(-5, 1, 1).is_none());
        assert!(is_leap_year(2024) && !is_leap_year(2023) && !is_leap_year(2100));
        assert_eq!(days_in_month(2024, 0), 0);
    }

    #[test]
    fn parse_iso() {
        assert_eq!(Date::parse_iso("2024-02-29"), Some(d(2024, 2, 29)));
        assert_eq!(Date::parse_iso("0001-01-01"), Some(Date::MIN));
        assert_eq!(Date::parse_iso("9999-12-31"), Some(Date::MAX));
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "2024-02-29 ",
            " 2024-02-29",
            "24-02-29",
            "2024/02/29",
            "2024-02-2a",
            "+024-02-29",
            "2024-0-229",
            "",
            "0000-01-01",
            "2024-02-29T00:00",
            "２０２４-02-29",
        ] {
            assert_eq!(Date::parse_iso(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn accessors_and_display() {
        let x = d(2025, 10, 1);
        assert_eq!((x.year(), x.month(), x.day()), (2025, 10, 1));
        assert_eq!(x.to_string(), "2025-10-01");
        assert_eq!(Date::MIN.to_string(), "0001-01-01");
    }

    #[test]
    fn days_round_trip() {
        assert_eq!(d(1970, 1, 1).to_days(), 0);
        assert_eq!(d(1970, 1, 2).to_days(), 1);
        assert_eq!(d(1969, 12, 31).to_days(), -1);
        assert_eq!(d(2000, 3, 1).to_days(), 11_017);
        assert_eq!(Date::MIN.to_days(), MIN_DAYS);
        assert_eq!(Date::MAX.to_days(), MAX_DAYS);
        assert_eq!(Date::from_days(MIN_DAYS - 1), None);
        assert_eq!(Date::from_days(MAX_DAYS + 1), None);
        assert_eq!(Date::from_days(i64::MIN), None);
        assert_eq!(Date::from_days(i64::MAX), None);
        let mut prev = Date::from_days(MIN_DAYS).unwrap();
        for n in (MIN_DAYS + 1)..=MAX_DAYS {
            let x = Date::from_days(n).unwrap();
            assert_eq!(x.to_days(), n);
            assert!(x > prev);
            prev = x;
        }
        assert_eq!(d(2024, 1, 1).days_until(d(2024, 3, 1)), 60);
    }

    #[test]
    fn periods() {
        let jan31 = d(2024, 1, 31);
        assert_eq!(
            jan31.add_period(Period::months_only(1)),
            Some(d(2024, 2, 29))
        );
        assert_eq!(
            d(2023, 1, 31).add_period(Period::months_only(1)),
            Some(d(2023, 2, 28))
        );
        assert_eq!(
            jan31.add_period(Period::months_only(-2)),
            Some(d(2023, 11, 30))
        );
        assert_eq!(
            d(2024, 2, 29).add_period(Period::years(1).unwrap()),
            Some(d(2025, 2, 28))
        );
        assert_eq!(
            d(2024, 8, 31).add_period(Period::months_only(6)),
            Some(d(2025, 2, 28))
        );
        // Months first, then days.
        assert_eq!(jan31.add_period(Period::new(1, 1)), Some(d(2024, 3, 1)));
        assert_eq!(
            d(2024, 12, 25).add_period(Period::days_only(7)),
            Some(d(2025, 1, 1))
        );
        assert_eq!(
            d(2024, 1, 1).add_period(Period::weeks(2).unwrap()),
            Some(d(2024, 1, 15))
        );
        assert_eq!(
            d(2024, 3, 31).sub_period(Period::months_only(1)),
            Some(d(2024, 2, 29))
        );
        assert_eq!(
            d(2024, 3, 1).sub_period(Period::days_only(1)),
            Some(d(2024, 2, 29))
        );
        assert_eq!(Date::MAX.add_period(Period::days_only(1)), None);
        assert_eq!(Date::MIN.sub_period(Period::months_only(1)), None);
        assert_eq!(Date::MAX.add_period(Period::new(i32::MAX, i32::MAX)), None);
        assert_eq!(Date::MIN.add_period(Period::new(i32::MIN, i32::MIN)), None);
        assert_eq!(Date::MIN.sub_period(Period::new(i32::MIN, 0)), None);
        assert_eq!(Period::weeks(i32::MAX), None);
        assert_eq!(Period::years(i32::MIN), None);
        assert_eq!(
            Period::new(1, 2).checked_add(Period::new(3, 4)),
            Some(Period::new(4, 6))
        );
        assert_eq!(Period::new(1, 2).months(), 1);
        assert_eq!(Period::new(1, 2).days(), 2);
    }

    #[test]
    fn deserialize_from_iso_string() {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        let ok: StrDeserializer<Error> = "2024-02-29".into_deserializer();
        assert_eq!(Date::deserialize(ok).unwrap(), d(2024, 2, 29));
        let bad: StrDeserializer<Error> = "2023-02-29".into_deserializer();
        assert!(Date::deserialize(bad).is_err());
    }

    #[cfg(feature = "json")]
    #[test]
    fn serde_json_round_trip() {
        let x = d(2024, 2, 29);
        let j = serde_json::to_string(&x).unwrap();
        assert_eq!(j, "\"2024-02-29\"");
        assert_eq!(serde_json::from_str::<Date>(&j).unwrap(), x);
        assert!(serde_json::from_str::<Date>("\"2023-02-29\"").is_err());
        assert!(serde_json::from_str::<Date>("20240229").is_err());
    }

    /// The whole months from `a` to `b` counted by stepping one month at a time: an oracle
    /// written independently of [`Date::months_until`] (no arithmetic on month indices).
    fn months_by_steps(a: Date, b: Date) -> i64 {
        if b < a {
            return -months_by_steps(b, a);
        }
        let mut n = 0;
        while let Some(next) = a.add_period(Period::months_only(n + 1)) {
            if next > b {
                break;
            }
            n += 1;
        }
        i64::from(n)
    }

    #[test]
    fn spans_leap_days_and_ends_of_months() {
        // Born on 29 February: a year older on 28 February in common years (art. 2963 c.c.:
        // a missing day is the last day of the month), on 29 February in leap years.
        assert_eq!(d(2020, 2, 29).years_until(d(2021, 2, 27)), 0);
        assert_eq!(d(2020, 2, 29).years_until(d(2021, 2, 28)), 1);
        assert_eq!(d(2020, 2, 29).years_until(d(2024, 2, 28)), 3);
        assert_eq!(d(2020, 2, 29).years_until(d(2024, 2, 29)), 4);
        // Ends of months.
        assert_eq!(d(2024, 1, 31).months_until(d(2024, 2, 28)), 0);
        assert_eq!(d(2024, 1, 31).months_until(d(2024, 2, 29)), 1);
        assert_eq!(d(2024, 1, 31).months_until(d(2024, 3, 30)), 1);
        assert_eq!(d(2024, 1, 31).months_until(d(2024, 3, 31)), 2);
        assert_eq!(d(2024, 3, 31).months_until(d(2024, 4, 30)), 1);
        // Backwards: the opposite.
        assert_eq!(d(2024, 2, 29).months_until(d(2024, 1, 31)), -1);
        assert_eq!(d(2025, 3, 1).years_until(d(2000, 3, 2)), -24);
        assert_eq!(d(2024, 1, 1).days_until(d(2025, 1, 1)), 366);
        assert_eq!(Date::MIN.years_until(Date::MAX), 9998);
    }

    #[test]
    fn spans_agree_with_stepping_and_with_adding() {
        // Pairs over 1999-2005 (leap years, centuries nearby), every 7th and 11th day: about
        // 130,000 pairs, each checked against the stepping oracle and the defining property
        // `a + n months <= b < a + (n + 1) months`.
        let start = d(1999, 1, 1).to_days();
        let days: Vec<Date> = (0..2557)
            .step_by(7)
            .filter_map(|i| Date::from_days(start + i))
            .collect();
        let others: Vec<Date> = (0..2557)
            .step_by(11)
            .filter_map(|i| Date::from_days(start + i))
            .collect();
        for &a in &days {
            for &b in &others {
                let m = a.months_until(b);
                assert_eq!(m, months_by_steps(a, b), "{a} -> {b}");
                assert_eq!(a.years_until(b), m / 12, "{a} -> {b}");
                if b >= a {
                    let n = i32::try_from(m).unwrap();
                    assert!(a.add_period(Period::months_only(n)).unwrap() <= b);
                    assert!(a.add_period(Period::months_only(n + 1)).unwrap() > b);
                }
            }
        }
    }
}
