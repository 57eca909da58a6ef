//! Serving a `FileResponse`: the file is read here, on the I/O side, never through
//! Python, with Starlette's headers (`content-length`, `last-modified`, `etag`) and its
//! `Range` support (one range, several as `multipart/byteranges`, 416, 400).

use std::io::SeekFrom;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use hyper::header::{
    HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_RANGE,
    LAST_MODIFIED, RANGE,
};
use hyper::{HeaderMap, Method, Response, StatusCode};
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::mpsc;

use crate::body::{BodyFailed, ResponseBody};
use crate::response::{append_headers, internal_error, HttpResponse};

const CHUNK: usize = 64 * 1024;
/// 10000-01-01T00:00:00Z, the first date `httpdate` cannot write.
static LAST_HTTP_DATE: std::sync::LazyLock<std::time::SystemTime> =
    std::sync::LazyLock::new(|| UNIX_EPOCH + Duration::from_secs(253_402_300_800));
/// More ranges than this and the whole file is sent, as Starlette does.
const MAX_RANGES: usize = 100;

/// What the request says about the file it wants.
pub struct FileRequest<'a> {
    pub method: &'a Method,
    pub headers: &'a HeaderMap,
}

pub async fn respond(
    status: u16,
    raw_headers: Vec<(Vec<u8>, Vec<u8>)>,
    path: String,
    request: FileRequest<'_>,
) -> HttpResponse {
    let metadata = match tokio::fs::metadata(&path).await {
        Ok(metadata) if metadata.is_file() => metadata,
        Ok(_) => return failed(&format!("File at path {path} is not a file.")),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return failed(&format!("File at path {path} does not exist."))
        }
        Err(error) => return failed(&format!("File at path {path} cannot be read: {error}")),
    };
    let mut headers = HeaderMap::new();
    if let Err(error) = append_headers(&mut headers, raw_headers) {
        return failed(&format!("a FileResponse has an invalid header: {error}"));
    }
    set_stat_headers(&mut headers, &metadata);
    let size = metadata.len();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let head_only = request.method == Method::HEAD;
    let range = request.headers.get(RANGE).map(latin1);
    let wants_range = status == StatusCode::OK
        && range.is_some()
        && (request.method == Method::GET || head_only)
        && request
            .headers
            .get(IF_RANGE)
            .is_none_or(|if_range| if_range_matches(&latin1(if_range), &headers));
    if !wants_range {
        return send(status, headers, &path, vec![(0, size)], None, head_only);
    }
    match parse_ranges(range.as_deref().unwrap_or(""), size) {
        Err(RangeError::Malformed(message)) => plain_text(StatusCode::BAD_REQUEST, message, None),
        Err(RangeError::NotSatisfiable) => plain_text(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "",
            Some(format!("bytes */{size}")),
        ),
        Ok(ranges) if ranges.is_empty() => {
            send(status, headers, &path, vec![(0, size)], None, head_only)
        }
        Ok(ranges) if ranges.len() == 1 => {
            let (start, end) = ranges[0];
            set(
                &mut headers,
                CONTENT_RANGE,
                format!("bytes {start}-{}/{size}", end - 1),
            );
            set(&mut headers, CONTENT_LENGTH, (end - start).to_string());
            send(
                StatusCode::PARTIAL_CONTENT,
                headers,
                &path,
                ranges,
                None,
                head_only,
            )
        }
        Ok(ranges) => {
            let boundary = boundary();
            let content_type = headers.get(CONTENT_TYPE).map(latin1).unwrap_or_default();
            let parts: Vec<Bytes> = ranges
                .iter()
                .map(|(start, end)| {
                    Bytes::from(format!(
                        "--{boundary}\r\nContent-Type: {content_type}\r\nContent-Range: bytes {start}-{}/{size}\r\n\r\n",
                        end - 1
                    ))
                })
                .collect();
            let length: u64 = ranges
                .iter()
                .zip(&parts)
                .map(|((start, end), part)| part.len() as u64 + (end - start) + 2)
                .sum::<u64>()
                + 4
                + boundary.len() as u64;
            set(
                &mut headers,
                CONTENT_TYPE,
                format!("multipart/byteranges; boundary={boundary}"),
            );
            set(&mut headers, CONTENT_LENGTH, length.to_string());
            let multipart = Multipart { boundary, parts };
            send(
                StatusCode::PARTIAL_CONTENT,
                headers,
                &path,
                ranges,
                Some(multipart),
                head_only,
            )
        }
    }
}

/// The part headers of a `multipart/byteranges` body, one per range.
struct Multipart {
    boundary: String,
    parts: Vec<Bytes>,
}

fn send(
    status: StatusCode,
    headers: HeaderMap,
    path: &str,
    ranges: Vec<(u64, u64)>,
    multipart: Option<Multipart>,
    head_only: bool,
) -> HttpResponse {
    let body = if head_only {
        ResponseBody::empty()
    } else {
        let (sender, receiver) = mpsc::channel(2);
        tokio::spawn(read_ranges(path.to_owned(), ranges, multipart, sender));
        ResponseBody::Channel(receiver)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Sends the bytes of `ranges` (with the multipart framing, if any) until done or until
/// the client is gone (the receiver dropped).
async fn read_ranges(
    path: String,
    ranges: Vec<(u64, u64)>,
    multipart: Option<Multipart>,
    sender: mpsc::Sender<Result<Bytes, BodyFailed>>,
) {
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(error) => {
            tracing::error!("cannot open {path}: {error}");
            let _ = sender
                .send(Err(BodyFailed("the file cannot be read")))
                .await;
            return;
        }
    };
    for (index, &(start, end)) in ranges.iter().enumerate() {
        if let Some(multipart) = &multipart {
            if sender
                .send(Ok(multipart.parts[index].clone()))
                .await
                .is_err()
            {
                return;
            }
        }
        if let Err(error) = send_range(&mut file, start, end, &sender).await {
            tracing::error!("reading {path} failed: {error}");
            let _ = sender
                .send(Err(BodyFailed("the file cannot be read")))
                .await;
            return;
        }
        if multipart.is_some() && sender.send(Ok(Bytes::from_static(b"\r\n"))).await.is_err() {
            return;
        }
    }
    if let Some(multipart) = multipart {
        let end = Bytes::from(format!("--{}--", multipart.boundary));
        let _ = sender.send(Ok(end)).await;
    }
}

async fn send_range(
    file: &mut tokio::fs::File,
    start: u64,
    end: u64,
    sender: &mpsc::Sender<Result<Bytes, BodyFailed>>,
) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(start)).await?;
    let mut left = end - start;
    while left > 0 {
        let mut buffer = vec![0; CHUNK.min(left as usize)];
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file is shorter than expected",
            ));
        }
        buffer.truncate(read);
        left -= read as u64;
        if sender.send(Ok(Bytes::from(buffer))).await.is_err() {
            return Ok(()); // the client is gone
        }
    }
    Ok(())
}

/// `content-length`, `last-modified` and `etag`, unless already given, computed as
/// Starlette computes them (the etag is the MD5 of `f"{st_mtime}-{st_size}"`).
fn set_stat_headers(headers: &mut HeaderMap, metadata: &std::fs::Metadata) {
    // Python's `st_mtime`: seconds plus nanoseconds as one float, the same arithmetic.
    let mtime = metadata.mtime() as f64 + metadata.mtime_nsec() as f64 * 1e-9;
    let mut mtime_text = Vec::new();
    let _ = crate::json::write_f64(&mut mtime_text, mtime);
    let etag_base = format!(
        "{}-{}",
        String::from_utf8_lossy(&mtime_text),
        metadata.len()
    );
    let etag = format!("\"{:x}\"", Md5::digest(etag_base.as_bytes()));
    set_default(headers, CONTENT_LENGTH, metadata.len().to_string());
    // HTTP dates end at year 9999 (`httpdate` would panic past it): no `last-modified`
    // for a file dated later.
    let modified = UNIX_EPOCH.checked_add(Duration::from_secs(mtime.max(0.0) as u64));
    if let Some(modified) = modified.filter(|&date| date < *LAST_HTTP_DATE) {
        set_default(headers, LAST_MODIFIED, httpdate::fmt_http_date(modified));
    }
    set_default(headers, ETAG, etag);
}

fn set_default(headers: &mut HeaderMap, name: HeaderName, value: String) {
    if !headers.contains_key(&name) {
        set(headers, name, value);
    }
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: String) {
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(name, value);
    }
}

fn latin1(value: &HeaderValue) -> String {
    value.as_bytes().iter().map(|&byte| byte as char).collect()
}

/// `If-Range` allows the range when it names the file's current version.
fn if_range_matches(if_range: &str, headers: &HeaderMap) -> bool {
    if if_range.starts_with("W/") {
        return false;
    }
    let same = |name: HeaderName| {
        headers
            .get(name)
            .is_some_and(|value| latin1(value) == if_range)
    };
    same(LAST_MODIFIED) || same(ETAG)
}

#[derive(Debug, PartialEq)]
enum RangeError {
    Malformed(&'static str),
    NotSatisfiable,
}

/// The byte ranges (start, end exclusive) of a `Range` header, as Starlette reads it:
/// overlapping ranges merged, and none (the whole file) for more than 100.
fn parse_ranges(header: &str, size: u64) -> Result<Vec<(u64, u64)>, RangeError> {
    let Some((units, ranges)) = header.split_once('=') else {
        return Err(RangeError::Malformed("Malformed range header."));
    };
    if units.trim().to_lowercase() != "bytes" {
        return Err(RangeError::Malformed("Only support bytes range"));
    }
    if ranges.matches(',').count() + 1 > MAX_RANGES {
        return Ok(Vec::new());
    }
    let mut parsed: Vec<(i128, i128)> = Vec::new();
    for part in ranges.split(',') {
        let part = part.trim();
        let Some((start, end)) = part.split_once('-') else {
            continue;
        };
        let (start, end) = (start.trim(), end.trim());
        let size = i128::from(size);
        let range = (|| {
            let start_value = if start.is_empty() {
                (size - python_int(end)?).max(0)
            } else {
                python_int(start)?
            };
            let end_value = if !start.is_empty() && !end.is_empty() && python_int(end)? < size {
                python_int(end)? + 1
            } else {
                size
            };
            Some((start_value, end_value))
        })();
        if let Some(range) = range {
            parsed.push(range);
        }
    }
    if parsed.is_empty() {
        return Err(RangeError::Malformed(
            "Range header: range must be requested",
        ));
    }
    let size = i128::from(size);
    if parsed
        .iter()
        .any(|&(start, _)| !(0 <= start && start < size))
    {
        return Err(RangeError::NotSatisfiable);
    }
    if parsed.iter().any(|&(start, end)| start >= end) {
        return Err(RangeError::Malformed(
            "Range header: start must be less than end",
        ));
    }
    if parsed.len() > 1 {
        parsed.sort();
        let mut merged: Vec<(i128, i128)> = vec![parsed[0]];
        for &(start, end) in &parsed[1..] {
            let last = merged.last_mut().expect("merged starts with one range");
            if start <= last.1 {
                last.1 = last.1.max(end);
            } else {
                merged.push((start, end));
            }
        }
        parsed = merged;
    }
    Ok(parsed
        .into_iter()
        .map(|(start, end)| (start as u64, end as u64))
        .collect())
}

/// Python's `int(text)` for what a range holds: an optional sign, digits, and single
/// underscores between digits. `None` where Python raises `ValueError`.
fn python_int(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let cleaned: String = digits.chars().filter(|&c| c != '_').collect();
    if !cleaned.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    // Values beyond i128 are beyond any file: saturate, which keeps the comparisons right.
    let value = cleaned.parse::<i128>().unwrap_or(i128::MAX / 2);
    Some(if negative { -value } else { value })
}

/// 26 random hex digits, as Starlette's `token_hex(13)`.
fn boundary() -> String {
    let random = uuid::Uuid::new_v4();
    random.as_bytes()[..13]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn plain_text(
    status: StatusCode,
    text: &'static str,
    content_range: Option<String>,
) -> HttpResponse {
    let mut response = Response::new(ResponseBody::full(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some(range) = content_range {
        set(headers, CONTENT_RANGE, range);
    }
    headers.insert(CONTENT_LENGTH, HeaderValue::from(text.len()));
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn failed(message: &str) -> HttpResponse {
    tracing::error!("Exception in a FileResponse: RuntimeError: {message}");
    internal_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_starlette_reads_them() {
        assert_eq!(parse_ranges("bytes=0-9", 100), Ok(vec![(0, 10)]));
        assert_eq!(parse_ranges("bytes=-10", 100), Ok(vec![(90, 100)]));
        assert_eq!(parse_ranges("bytes=90-", 100), Ok(vec![(90, 100)]));
        assert_eq!(parse_ranges("bytes=90-500", 100), Ok(vec![(90, 100)]));
        assert_eq!(
            parse_ranges("bytes=0-4, 3-9, 20-29", 100),
            Ok(vec![(0, 10), (20, 30)])
        );
        assert_eq!(
            parse_ranges("bytes=100-", 100),
            Err(RangeError::NotSatisfiable)
        );
        assert_eq!(
            parse_ranges("items=0-1", 100),
            Err(RangeError::Malformed("Only support bytes range"))
        );
        assert_eq!(
            parse_ranges("bytes", 100),
            Err(RangeError::Malformed("Malformed range header."))
        );
        assert_eq!(
            parse_ranges("bytes=x-y", 100),
            Err(RangeError::Malformed(
                "Range header: range must be requested"
            ))
        );
        assert_eq!(
            parse_ranges("bytes=5-2", 100),
            Err(RangeError::Malformed(
                "Range header: start must be less than end"
            ))
        );
        assert_eq!(parse_ranges("bytes=1_0-1_9", 100), Ok(vec![(10, 20)]));
    }
}
