//! `udvalg publish --serve`: the site folder over HTTP for a preview on this machine, with
//! tiny_http. Files only, read-only, never outside the folder; a folder gives its
//! `index.html`.

use std::io;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};

use tiny_http::{Header, Method, Response, Server};

/// Serves `site` at `addr` until the process is stopped; `ready` is told the address it
/// listens on (the port the system chose, for `:0`).
pub fn serve(site: &Path, addr: &str, ready: impl FnOnce(SocketAddr)) -> io::Result<()> {
    let server = Server::http(addr).map_err(io::Error::other)?;
    let listening = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| io::Error::other("not an IP address"))?;
    ready(listening);
    for request in server.incoming_requests() {
        let response = match request.method() {
            Method::Get | Method::Head => answer(site, request.url()),
            _ => Response::from_string("only GET and HEAD").with_status_code(405),
        };
        // A reader who went away is no reason to stop serving.
        let _ = request.respond(response);
    }
    Ok(())
}

fn answer(site: &Path, url: &str) -> Response<io::Cursor<Vec<u8>>> {
    let Some(file) = file_of(site, url) else {
        return Response::from_string("not found").with_status_code(404);
    };
    match std::fs::read(&file) {
        Ok(bytes) => {
            let mut response = Response::from_data(bytes);
            if let Ok(header) = Header::from_bytes("Content-Type", content_type(&file)) {
                response = response.with_header(header);
            }
            response
        }
        Err(_) => Response::from_string("not found").with_status_code(404),
    }
}

/// The file `url` names inside `site`: its path percent-decoded, only plain names (no `..`,
/// no root), a folder's `index.html`.
fn file_of(site: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_decode(path)?;
    let mut file = site.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(name) => file.push(name),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("pdf") => "application/pdf",
        Some("atom") => "application/atom+xml",
        Some("ics") => "text/calendar; charset=utf-8",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_a_file_inside_the_site_only() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir(site.path().join("møde")).unwrap();
        std::fs::write(site.path().join("møde/index.html"), "x").unwrap();
        std::fs::write(site.path().join("index.html"), "x").unwrap();
        assert_eq!(
            file_of(site.path(), "/"),
            Some(site.path().join("index.html"))
        );
        assert_eq!(
            file_of(site.path(), "/m%C3%B8de/?q=1"),
            Some(site.path().join("møde/index.html"))
        );
        assert_eq!(file_of(site.path(), "/../etc/passwd"), None);
        assert_eq!(file_of(site.path(), "/%2e%2e/etc/passwd"), None);
        assert_eq!(file_of(site.path(), "/findes-ikke.html"), None);
    }
}
