//! A minimal W3C WebDriver client for the browser integration tests.
//!
//! It drives Debian's `chromium` through Debian's `chromedriver`
//! (`scripts/install-browser` installs both) and is built only on `reqwest`,
//! `serde_json` and `tokio`. Every error is a readable `String` that names the
//! command, the CSS selector involved and the WebDriver error message.
//!
//! ```ignore
//! if !webdriver::available() { return; }
//! let b = webdriver::Browser::start().await?;
//! b.goto(&format!("{base}/login")).await?;
//! b.find("input[name=username]").await?.send_keys("admin").await?;
//! b.find("button[type=submit]").await?.click().await?;
//! b.wait_for_text("h1", "落地", Duration::from_secs(5)).await?;
//! b.quit().await?;
//! ```

use std::fmt;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{json, Value};

/// The W3C web element identifier: the key under which an element reference
/// travels (WebDriver spec, and what chromedriver 156 answers with).
#[allow(dead_code)]
pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A look-alike key that is not the W3C one; accepted when reading only.
const ELEMENT_KEY_ALT: &str = "element-6066-11e4-a52f-4a4c1a26bd6e";

/// How long `find` waits for an element to appear.
#[allow(dead_code)]
pub const IMPLICIT_WAIT: Duration = Duration::from_secs(5);

const POLL: Duration = Duration::from_millis(100);
const START_TIMEOUT: Duration = Duration::from_secs(20);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);
/// How long `click`/`send_keys` retry while the element is not yet interactable.
const INTERACT_RETRY: Duration = Duration::from_secs(2);

const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
    "--lang=zh-CN",
];

// ---------------------------------------------------------------------------
// locating the binaries
// ---------------------------------------------------------------------------

fn in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn from_env_or(var: &str, default: &str, path_names: &[&str]) -> Option<PathBuf> {
    if let Some(v) = std::env::var_os(var) {
        if !v.is_empty() {
            let p = PathBuf::from(v);
            return p.is_file().then_some(p);
        }
    }
    let p = PathBuf::from(default);
    if p.is_file() {
        return Some(p);
    }
    path_names.iter().find_map(|n| in_path(n))
}

/// `chromedriver`: env `CHROMEDRIVER`, else `/usr/bin/chromedriver`, else PATH.
#[allow(dead_code)]
pub fn chromedriver_path() -> Option<PathBuf> {
    from_env_or("CHROMEDRIVER", "/usr/bin/chromedriver", &["chromedriver"])
}

/// `chromium`: env `CHROMIUM`, else `/usr/bin/chromium`, else PATH.
#[allow(dead_code)]
pub fn chromium_path() -> Option<PathBuf> {
    from_env_or("CHROMIUM", "/usr/bin/chromium", &["chromium"])
}

/// True when both chromedriver and chromium are installed.
#[allow(dead_code)]
pub fn available() -> bool {
    chromedriver_path().is_some() && chromium_path().is_some()
}

fn fresh_dir() -> Result<PathBuf, String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "luodi-webdriver-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(dir.join("profile"))
        .map_err(|e| format!("webdriver: cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("webdriver: cannot bind a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("webdriver: cannot read the bound port: {e}"))
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(15);
    lines[start..].join("\n")
}

// ---------------------------------------------------------------------------
// the wire
// ---------------------------------------------------------------------------

/// A WebDriver error: the W3C error code and its message.
#[derive(Debug, Clone)]
struct CmdError {
    code: String,
    message: String,
}

impl CmdError {
    fn new(code: &str, message: String) -> Self {
        CmdError {
            code: code.to_owned(),
            message,
        }
    }

    fn is(&self, code: &str) -> bool {
        self.code == code
    }
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message.trim())
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, CmdError> {
    let mut req = http.request(method.clone(), url);
    if method == Method::POST {
        // W3C wants a JSON object on every POST, even one without parameters.
        req = req.json(&body.unwrap_or_else(|| json!({})));
    }
    let resp = req
        .send()
        .await
        .map_err(|e| CmdError::new("http", format!("{method} {url}: {e}")))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| CmdError::new("http", format!("{method} {url}: reading the body: {e}")))?;
    let parsed: Value = serde_json::from_str(&text).map_err(|e| {
        CmdError::new(
            "bad response",
            format!(
                "{method} {url}: HTTP {status}: {e}: {}",
                truncate(&text, 300)
            ),
        )
    })?;
    let value = match parsed {
        Value::Object(mut map) => map.remove("value").unwrap_or(Value::Null),
        other => other,
    };
    if !status.is_success() {
        let code = value
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("unknown error");
        let message = value
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(CmdError::new(
            code,
            format!("{} (HTTP {status}, {method} {url})", message.trim()),
        ));
    }
    Ok(value)
}

/// A live session: what `Browser` and every `Element` talk through.
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`
    url: String,
}

impl Session {
    async fn cmd(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CmdError> {
        send(&self.http, method, &format!("{}{path}", self.url), body).await
    }

    async fn get(&self, path: &str) -> Result<Value, CmdError> {
        self.cmd(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, CmdError> {
        self.cmd(Method::POST, path, Some(body)).await
    }

    async fn get_string(&self, path: &str) -> Result<String, CmdError> {
        match self.get(path).await? {
            Value::String(s) => Ok(s),
            Value::Null => Ok(String::new()),
            other => Ok(other.to_string()),
        }
    }

    /// One attempt to find `css` under `root` (or the document);
    /// `Ok(None)` when nothing matches yet.
    async fn try_find(&self, root: Option<&str>, css: &str) -> Result<Option<String>, CmdError> {
        let path = match root {
            Some(id) => format!("/element/{id}/element"),
            None => "/element".to_owned(),
        };
        match self
            .post(&path, json!({ "using": "css selector", "value": css }))
            .await
        {
            Ok(v) => element_id(&v).map(Some).ok_or_else(|| {
                CmdError::new("bad response", format!("no element reference in {v}"))
            }),
            Err(e) if e.is("no such element") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn find_all(&self, root: Option<&str>, css: &str) -> Result<Vec<String>, CmdError> {
        let path = match root {
            Some(id) => format!("/element/{id}/elements"),
            None => "/elements".to_owned(),
        };
        let v = self
            .post(&path, json!({ "using": "css selector", "value": css }))
            .await?;
        let list = v.as_array().cloned().unwrap_or_default();
        Ok(list.iter().filter_map(element_id).collect())
    }

    /// Polls until `css` matches under `root`, for at most `timeout`.
    async fn wait_find(
        &self,
        root: Option<&str>,
        css: &str,
        label: &str,
        timeout: Duration,
    ) -> Result<Element, String> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.try_find(root, css).await {
                Ok(Some(id)) => {
                    return Ok(Element {
                        session: self.clone(),
                        id,
                        selector: label.to_owned(),
                    })
                }
                Ok(None) => {}
                // Mid-navigation the lookup itself may fail; keep the last error for the report.
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                }
                Err(e) => return Err(format!("find `{label}`: {e}")),
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "find `{label}`: no such element after {:.1}s",
                    timeout.as_secs_f64()
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

fn element_id(v: &Value) -> Option<String> {
    v.get(ELEMENT_KEY)
        .or_else(|| v.get(ELEMENT_KEY_ALT))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

// ---------------------------------------------------------------------------
// Browser
// ---------------------------------------------------------------------------

/// A chromedriver process with one headless Chromium session.
#[allow(dead_code)]
pub struct Browser {
    session: Session,
    session_id: String,
    port: u16,
    driver: Option<tokio::process::Child>,
    dir: PathBuf,
    closed: bool,
}

#[allow(dead_code)]
impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session.
    pub async fn start() -> Result<Browser, String> {
        let driver_bin = chromedriver_path().ok_or(
            "webdriver: chromedriver not found (set CHROMEDRIVER or run scripts/install-browser)",
        )?;
        let chromium = chromium_path()
            .ok_or("webdriver: chromium not found (set CHROMIUM or run scripts/install-browser)")?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| format!("webdriver: building the HTTP client: {e}"))?;
        let dir = fresh_dir()?;
        let log = dir.join("chromedriver.log");

        // The port is free when we look; retry if chromedriver loses a race for it.
        let mut last_err = String::new();
        let mut started = None;
        for _ in 0..3 {
            match spawn_driver(&driver_bin, &log, &http).await {
                Ok(ok) => {
                    started = Some(ok);
                    break;
                }
                Err(e) => last_err = e,
            }
        }
        let Some((mut child, port)) = started else {
            let _ = std::fs::remove_dir_all(dir.as_path());
            return Err(last_err);
        };

        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", dir.join("profile").display()));
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "timeouts": { "implicit": 0, "pageLoad": 30000, "script": 30000 },
                    "goog:chromeOptions": {
                        "binary": chromium.display().to_string(),
                        "args": args,
                        "prefs": { "intl.accept_languages": "zh-CN,zh" },
                    },
                },
            },
        });
        let base = format!("http://127.0.0.1:{port}");
        let created = send(&http, Method::POST, &format!("{base}/session"), Some(caps)).await;
        let session_id = created
            .as_ref()
            .ok()
            .and_then(|v| v.get("sessionId"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let Some(session_id) = session_id else {
            let why = match created {
                Err(e) => e.to_string(),
                Ok(v) => format!("no sessionId in {}", truncate(&v.to_string(), 300)),
            };
            let tail = log_tail(&log);
            let _ = child.kill().await;
            let _ = std::fs::remove_dir_all(dir.as_path());
            return Err(format!(
                "webdriver: creating a session with {}: {why}\nchromedriver log:\n{tail}",
                chromium.display()
            ));
        };
        Ok(Browser {
            session: Session {
                http,
                url: format!("{base}/session/{session_id}"),
            },
            session_id,
            port,
            driver: Some(child),
            dir,
            closed: false,
        })
    }

    /// Navigates to `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) -> Result<(), String> {
        self.session
            .post("/url", json!({ "url": url }))
            .await
            .map(drop)
            .map_err(|e| format!("goto {url}: {e}"))
    }

    pub async fn current_url(&self) -> Result<String, String> {
        self.session
            .get_string("/url")
            .await
            .map_err(|e| format!("current_url: {e}"))
    }

    pub async fn title(&self) -> Result<String, String> {
        self.session
            .get_string("/title")
            .await
            .map_err(|e| format!("title: {e}"))
    }

    pub async fn back(&self) -> Result<(), String> {
        self.session
            .post("/back", json!({}))
            .await
            .map(drop)
            .map_err(|e| format!("back: {e}"))
    }

    /// Resizes the window (the page's viewport follows), e.g. to look at a phone's width.
    #[allow(dead_code)]
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<(), String> {
        self.session
            .post("/window/rect", json!({ "width": width, "height": height }))
            .await
            .map(drop)
            .map_err(|e| format!("set_window_size: {e}"))
    }

    pub async fn refresh(&self) -> Result<(), String> {
        self.session
            .post("/refresh", json!({}))
            .await
            .map(drop)
            .map_err(|e| format!("refresh: {e}"))
    }

    /// The first element matching `css`, waiting up to `IMPLICIT_WAIT` for it.
    pub async fn find(&self, css: &str) -> Result<Element, String> {
        self.session.wait_find(None, css, css, IMPLICIT_WAIT).await
    }

    /// Every element matching `css` now (no waiting; may be empty).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let ids = self
            .session
            .find_all(None, css)
            .await
            .map_err(|e| format!("find_all `{css}`: {e}"))?;
        Ok(ids
            .into_iter()
            .map(|id| Element {
                session: self.session.clone(),
                id,
                selector: css.to_owned(),
            })
            .collect())
    }

    /// The first element matching `css`, waiting up to `timeout` for it.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element, String> {
        self.session.wait_find(None, css, css, timeout).await
    }

    /// Waits until an element matching `css` exists and its text contains `text`.
    pub async fn wait_for_text(
        &self,
        css: &str,
        text: &str,
        timeout: Duration,
    ) -> Result<Element, String> {
        let deadline = Instant::now() + timeout;
        let mut last: Option<String> = None;
        loop {
            match self.session.try_find(None, css).await {
                Ok(Some(id)) => {
                    match self
                        .session
                        .get_string(&format!("/element/{id}/text"))
                        .await
                    {
                        Ok(t) if t.contains(text) => {
                            return Ok(Element {
                                session: self.session.clone(),
                                id,
                                selector: css.to_owned(),
                            })
                        }
                        Ok(t) => last = Some(t),
                        // The page may be navigating: the element went away under us (chromedriver
                        // says "stale element" or, mid-load, an inspector error). Look again.
                        Err(e) => last = Some(format!("(read failed: {e})")),
                    }
                }
                Ok(None) => {}
                // Mid-navigation the document itself may be briefly unavailable.
                Err(e) => last = Some(format!("(lookup failed: {e})")),
            }
            if Instant::now() >= deadline {
                let seen = match last {
                    Some(t) => format!("last text was {:?}", truncate(&t, 300)),
                    None => "the element never appeared".to_owned(),
                };
                return Err(format!(
                    "wait_for_text `{css}` containing {text:?}: timed out after {:.1}s; {seen}",
                    timeout.as_secs_f64()
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the current URL contains `fragment`; returns the URL.
    pub async fn wait_for_url(&self, fragment: &str, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let url = self.current_url().await?;
            if url.contains(fragment) {
                return Ok(url);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "wait_for_url containing {fragment:?}: timed out after {:.1}s; still at {url}",
                    timeout.as_secs_f64()
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn page_source(&self) -> Result<String, String> {
        self.session
            .get_string("/source")
            .await
            .map_err(|e| format!("page_source: {e}"))
    }

    /// A PNG of the viewport.
    pub async fn screenshot_png(&self) -> Result<Vec<u8>, String> {
        let b64 = self
            .session
            .get_string("/screenshot")
            .await
            .map_err(|e| format!("screenshot: {e}"))?;
        let png = base64_decode(&b64).map_err(|e| format!("screenshot: {e}"))?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err("screenshot: the decoded data is not a PNG".to_owned());
        }
        Ok(png)
    }

    /// Writes a screenshot to `path` (handy when a browser test fails).
    pub async fn save_screenshot(&self, path: impl AsRef<Path>) -> Result<(), String> {
        let png = self.screenshot_png().await?;
        std::fs::write(path.as_ref(), png)
            .map_err(|e| format!("save_screenshot {}: {e}", path.as_ref().display()))
    }

    /// Runs `script` as a function body (`return ...;`) with `args`
    /// (`Element::as_arg()` passes an element) and returns its result.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.session
            .post("/execute/sync", json!({ "script": script, "args": args }))
            .await
            .map_err(|e| format!("execute {:?}: {e}", truncate(script, 80)))
    }

    /// Ends the session, stops chromedriver and removes the profile directory.
    pub async fn quit(mut self) -> Result<(), String> {
        let res = self
            .session
            .cmd(Method::DELETE, "", None)
            .await
            .map(drop)
            .map_err(|e| format!("quit: {e}"));
        self.closed = true;
        if let Some(mut child) = self.driver.take() {
            let _ = child.kill().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        res
    }
}

async fn spawn_driver(
    bin: &Path,
    log: &Path,
    http: &reqwest::Client,
) -> Result<(tokio::process::Child, u16), String> {
    let port = free_port()?;
    let mut child = tokio::process::Command::new(bin)
        .arg(format!("--port={port}"))
        .arg(format!("--log-path={}", log.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("webdriver: cannot start {}: {e}", bin.display()))?;
    let status_url = format!("http://127.0.0.1:{port}/status");
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "webdriver: {} exited early ({status})\nchromedriver log:\n{}",
                bin.display(),
                log_tail(log)
            ));
        }
        let probe = http
            .get(&status_url)
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        let last = match probe {
            Ok(resp) => match resp.json::<Value>().await {
                Ok(v) if v.pointer("/value/ready") == Some(&Value::Bool(true)) => {
                    return Ok((child, port))
                }
                Ok(v) => truncate(&v.to_string(), 200),
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            let _ = child.kill().await;
            return Err(format!(
                "webdriver: chromedriver on port {port} not ready after {}s (last: {last})\nchromedriver log:\n{}",
                START_TIMEOUT.as_secs(),
                log_tail(log)
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Best effort, without spawning anything: a blocking DELETE so that
        // chromedriver closes Chromium, then chromedriver itself is killed.
        if !self.closed {
            delete_session_blocking(self.port, &self.session_id);
        }
        if let Some(mut child) = self.driver.take() {
            let _ = child.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn delete_session_blocking(port: u16, session_id: &str) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let request = format!(
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink);
    }
}

// ---------------------------------------------------------------------------
// Element
// ---------------------------------------------------------------------------

/// A reference to one element of the current page.
#[derive(Clone)]
#[allow(dead_code)]
pub struct Element {
    session: Session,
    id: String,
    selector: String,
}

#[allow(dead_code)]
impl Element {
    /// The selector this element was found by (for messages).
    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The element as an argument for `Browser::execute`.
    pub fn as_arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    /// Retries a command briefly while the element is not interactable yet.
    async fn interact(&self, what: &str, path: &str, body: Value) -> Result<(), String> {
        let deadline = Instant::now() + INTERACT_RETRY;
        loop {
            match self.session.post(path, body.clone()).await {
                Ok(_) => return Ok(()),
                Err(e)
                    if (e.is("element not interactable") || e.is("element click intercepted"))
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(POLL).await;
                }
                Err(e) => return Err(format!("{what} `{}`: {e}", self.selector)),
            }
        }
    }

    pub async fn click(&self) -> Result<(), String> {
        self.interact("click", &format!("/element/{}/click", self.id), json!({}))
            .await
    }

    /// Types `text` into the element (appends to what is there).
    pub async fn send_keys(&self, text: &str) -> Result<(), String> {
        self.interact(
            "send_keys",
            &format!("/element/{}/value", self.id),
            json!({ "text": text }),
        )
        .await
    }

    pub async fn clear(&self) -> Result<(), String> {
        self.interact("clear", &format!("/element/{}/clear", self.id), json!({}))
            .await
    }

    /// The rendered (visible) text.
    pub async fn text(&self) -> Result<String, String> {
        self.session
            .get_string(&format!("/element/{}/text", self.id))
            .await
            .map_err(|e| format!("text `{}`: {e}", self.selector))
    }

    /// An attribute's value, `None` when the element has no such attribute.
    pub async fn attr(&self, name: &str) -> Result<Option<String>, String> {
        let v = self
            .session
            .get(&format!("/element/{}/attribute/{name}", self.id))
            .await
            .map_err(|e| format!("attr {name:?} of `{}`: {e}", self.selector))?;
        Ok(match v {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        })
    }

    /// A DOM property (e.g. `value`, `checked`).
    pub async fn property(&self, name: &str) -> Result<Value, String> {
        self.session
            .get(&format!("/element/{}/property/{name}", self.id))
            .await
            .map_err(|e| format!("property {name:?} of `{}`: {e}", self.selector))
    }

    /// The first descendant matching `css`, waiting up to `IMPLICIT_WAIT`.
    pub async fn find(&self, css: &str) -> Result<Element, String> {
        let label = format!("{} >> {css}", self.selector);
        self.session
            .wait_find(Some(&self.id), css, &label, IMPLICIT_WAIT)
            .await
    }

    /// Every descendant matching `css` now.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let label = format!("{} >> {css}", self.selector);
        let ids = self
            .session
            .find_all(Some(&self.id), css)
            .await
            .map_err(|e| format!("find_all `{label}`: {e}"))?;
        Ok(ids
            .into_iter()
            .map(|id| Element {
                session: self.session.clone(),
                id,
                selector: label.clone(),
            })
            .collect())
    }
}

// ---------------------------------------------------------------------------
// base64 (standard or URL-safe alphabet, padding optional)
// ---------------------------------------------------------------------------

#[allow(dead_code)]
pub fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 3);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for (i, c) in s.bytes().enumerate() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b'\r' | b'\n' | b' ' | b'\t' => continue,
            _ => return Err(format!("invalid base64 byte {c:#04x} at offset {i}")),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}
