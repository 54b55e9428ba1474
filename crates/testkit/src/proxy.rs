//! A recording, fault-injecting HTTP proxy in front of the Cognito emulator.
//!
//! Each test starts its own proxy, so its recording holds exactly the calls that test made. The
//! operation of a call is read from the `X-Amz-Target` header (JSON protocol: Cognito), or from the
//! `Action` form field (query protocol: STS).
//!
//! Faults come in two timings: before forwarding (the emulator never sees the call) or after it (the
//! emulator did the work, then the answer is lost), which is how a create that reached AWS and still
//! failed looks to a client. A [`Hold`] stops calls of one operation at the proxy until the test
//! releases them: the way to make two runs overlap without sleeps or injected latency.
//!
//! Each proxy also puts its calls in an AWS account of its own in moto (the `x-moto-account-id`
//! header), so tests can create pools with the spec's real names without ever meeting another
//! test's pools, as separate AWS accounts would.
//!
//! The emulator answers and refuses as AWS does through its fidelity rules (`FIDELITY.md`). Where AWS's
//! behaviour is undocumented a test tries both answers: [`RecordingProxy::lenient`] switches named rules off
//! for the calls this proxy forwards (the `x-testkit-lenient` header).
//!
//! The proxy can also answer an operation itself ([`RecordingProxy::answer`], [`RecordingProxy::answer_with`]):
//! HTTP 200 with a JSON body the test gives, as Cognito's JSON protocol sends it, without forwarding the call.
//! That is how AWS's published answers ([`crate::aws_published_answer`]) reach the code that reads them, where
//! moto would answer in its own (more lenient) shape. Answered calls are recorded like any other, with
//! `forwarded = false`. A proxy from [`RecordingProxy::answering_only`] has no emulator behind it at all: a
//! call nobody answers fails, naming its operation.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How an injected fault reaches the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// HTTP 400 with `__type` `ThrottlingException`, as Cognito answers over its rate quota.
    Throttling,
    /// HTTP 400 with `__type` `TooManyRequestsException` and "Rate exceeded", as Cognito answers a user
    /// operation (ListUsers, AdminGetUser, …) over its quota.
    TooManyRequests,
    /// HTTP 500 with `__type` `InternalErrorException`.
    ServerError,
    /// HTTP 500 with an HTML page for a body, as a proxy or load balancer in front of a service answers (and as moto's
    /// server does when a request crashes it): no error code for the SDK to read.
    ServerErrorPage,
    /// The connection is closed without any response.
    DropConnection,
    /// HTTP 400 with `__type` `ConcurrentModificationException`, as Cognito answers a write racing another
    /// write to the same pool (e.g. SetUserPoolMfaConfig right after CreateUserPool).
    ConcurrentModification,
    /// HTTP 400 with this `__type` and message: any other refusal Cognito sends, e.g.
    /// `InvalidParameterException` "Email address is not verified…".
    Refused {
        /// The error code (`__type`).
        code: &'static str,
        /// Cognito's message.
        message: &'static str,
    },
}

/// Make calls of one operation fail: the `nth` (1-based, counted per operation since the proxy
/// started or was last cleared) and the `times - 1` calls after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The operation, e.g. `SetUserPoolMfaConfig`.
    pub operation: String,
    /// The first call to fail, counting from 1.
    pub nth: u32,
    /// How many consecutive calls fail.
    pub times: u32,
    /// How they fail.
    pub kind: FaultKind,
    /// Whether the call reaches the emulator first (its effect happens, its answer is replaced by the
    /// fault) or is answered by the fault alone.
    pub after_forwarding: bool,
}

impl Fault {
    /// The `nth` call of `operation` fails once, as `kind`, without reaching the emulator.
    pub fn once(operation: &str, nth: u32, kind: FaultKind) -> Self {
        Self {
            operation: operation.into(),
            nth,
            times: 1,
            kind,
            after_forwarding: false,
        }
    }

    /// The `nth` call of `operation` reaches the emulator, which does the work, and then fails once as
    /// `kind`: the caller cannot tell whether anything happened.
    pub fn after_forwarding(operation: &str, nth: u32, kind: FaultKind) -> Self {
        Self {
            after_forwarding: true,
            ..Self::once(operation, nth, kind)
        }
    }

    fn applies_to(&self, operation: &str, count: u32) -> bool {
        self.operation == operation && count >= self.nth && count < self.nth + self.times
    }
}

/// One call that went through the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The API operation, e.g. `ListUserPools`.
    pub operation: String,
    /// When the proxy received the request.
    pub started: Instant,
    /// When the proxy finished answering (or dropped the connection).
    pub finished: Instant,
    /// The HTTP status sent back, `None` when the connection was dropped.
    pub status: Option<u16>,
    /// The fault injected into this call, if any.
    pub fault: Option<FaultKind>,
    /// Whether the emulator received the call (false for a fault injected before forwarding, and for a call
    /// the proxy answered itself).
    pub forwarded: bool,
    /// The request body as sent: JSON for Cognito, a form for STS. Holds whatever the caller sent, secrets
    /// included, so it stays inside the test.
    pub request: Bytes,
}

impl Call {
    /// The request body parsed as JSON (Cognito's protocol); `None` for a form-encoded (STS) call.
    pub fn request_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.request).ok()
    }
}

impl Call {
    /// How long the call took, as seen by the proxy.
    pub fn duration(&self) -> Duration {
        self.finished - self.started
    }
}

/// Builds the body of the proxy's own answer to a call from the call's request body (JSON; `null` for a body that
/// is not JSON).
type AnswerFn = Arc<dyn Fn(&Value) -> Value + Send + Sync>;

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    counts: HashMap<String, u32>,
    faults: Vec<Fault>,
    holds: Vec<Arc<HoldState>>,
    latency: Duration,
    /// The `x-testkit-lenient` header value, `None` when every fidelity rule applies.
    lenient: Option<hyper::header::HeaderValue>,
    /// Operations the proxy answers itself, each with the last answer armed for it.
    answers: HashMap<String, AnswerFn>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut answered: Vec<&String> = self.answers.keys().collect();
        answered.sort();
        formatter
            .debug_struct("State")
            .field("calls", &self.calls)
            .field("counts", &self.counts)
            .field("faults", &self.faults)
            .field("holds", &self.holds)
            .field("latency", &self.latency)
            .field("lenient", &self.lenient)
            .field("answered", &answered)
            .finish()
    }
}

/// The header that switches fidelity rules off for one request (read by `python/fidelity.py`).
const LENIENT_HEADER: &str = "x-testkit-lenient";

/// How long [`Hold::wait_for`] waits before failing the test: far longer than any call takes, so it
/// only fires when the expected call never comes.
const HOLD_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct HoldState {
    operation: String,
    /// The first call it stops, counting calls of the operation from 1 as [`Fault::nth`] does.
    from: u32,
    /// How many calls are waiting at the hold now.
    waiting: tokio::sync::watch::Sender<usize>,
    released: tokio::sync::watch::Sender<bool>,
}

/// Calls of one operation stopped at the proxy (after being counted, before being forwarded or failed)
/// until [`Hold::release`]; dropping the hold releases them too, so a failing test never hangs.
#[derive(Debug)]
pub struct Hold {
    state: Arc<HoldState>,
}

impl Hold {
    /// Waits until `count` calls are held, so the test knows each caller is mid-call. Panics after a
    /// minute, naming the operation, when they never arrive.
    pub async fn wait_for(&self, count: usize) {
        let mut waiting = self.state.waiting.subscribe();
        let arrived = tokio::time::timeout(HOLD_TIMEOUT, waiting.wait_for(|held| *held >= count)).await;
        assert!(
            matches!(arrived, Ok(Ok(_))),
            "fewer than {count} {} call(s) reached the proxy's hold within {HOLD_TIMEOUT:?}",
            self.state.operation
        );
    }

    /// Lets every held call, and every later one, through.
    pub fn release(&self) {
        self.state.released.send_replace(true);
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.release();
    }
}

/// Waits until each of `holds` has a call waiting, then releases them all: those calls were in flight at
/// the same moment, which proves the caller sent them concurrently, whatever the machine's load. A caller
/// that waits for one answer before sending the next never gets them all there, and the wait panics
/// naming the operation that never came. Afterwards the recording shows them overlapping, so
/// [`RecordingProxy::round_trips`] counts them as one round trip without any timing assumption.
pub async fn release_together<const N: usize>(holds: [&Hold; N]) {
    for hold in holds {
        hold.wait_for(1).await;
    }
    for hold in holds {
        hold.release();
    }
}

/// The proxy. Dropping it stops accepting connections.
#[derive(Debug)]
pub struct RecordingProxy {
    address: SocketAddr,
    account_id: String,
    state: Arc<Mutex<State>>,
    server: JoinHandle<()>,
}

impl RecordingProxy {
    /// Starts a proxy on a free loopback port forwarding to `upstream` (e.g. `http://127.0.0.1:5000`).
    /// Must be called inside a Tokio runtime.
    pub async fn start(upstream: &str) -> std::io::Result<Self> {
        let upstream: hyper::Uri = upstream
            .parse()
            .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{upstream}: {error}")))?;
        Self::serve(Some(upstream)).await
    }

    /// Starts a proxy with no emulator behind it: every call must be answered with [`RecordingProxy::answer`]
    /// (or [`RecordingProxy::answer_with`]). Any other call gets HTTP 400 `UnansweredByTestkit`, naming its
    /// operation, so a test fed only AWS's published answers proves that nothing else was read. Must be called
    /// inside a Tokio runtime.
    /// Panics unless fake AWS credentials are set ([`crate::require_fake_credentials`]), as the SDK needs some.
    pub async fn answering_only() -> std::io::Result<Self> {
        crate::require_fake_credentials();
        Self::serve(None).await
    }

    async fn serve(upstream: Option<hyper::Uri>) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::default()));
        let account_id = unique_account_id();
        let forwarder = Forwarder {
            account_id: hyper::header::HeaderValue::from_str(&account_id).expect("digits are a valid header value"),
            upstream,
            client: Client::builder(TokioExecutor::new()).build_http(),
            state: Arc::clone(&state),
        };
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let forwarder = forwarder.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let forwarder = forwarder.clone();
                        async move { forwarder.handle(request).await }
                    });
                    // An error here is the injected connection drop, or the client going away.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            address,
            account_id,
            state,
            server,
        })
    }

    /// The emulated AWS account this proxy's calls land in.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The URL to give a client instead of the upstream's.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Adds `latency` before every call from now on: for benchmarks (`cargo xtask bench`). Tests make calls
    /// overlap with holds ([`release_together`]); latency only makes overlap likely.
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Switches the emulator's fidelity rules named in `rules` (FIDELITY.md's names, e.g.
    /// `sign-out-disabled-user`) off for every call this proxy forwards from now on, so a test can see the
    /// other answer where AWS's behaviour is undocumented. Each call replaces the previous set; an empty slice
    /// makes every rule apply again. [`RecordingProxy::clear`] keeps the set, as it keeps latency and holds.
    /// The emulator refuses a call naming a rule it does not know (InvalidParameterException "testkit: unknown
    /// fidelity rule(s) …"), so a typo cannot leave a rule silently on. Panics on a name that cannot be a
    /// header value.
    pub fn lenient(&self, rules: &[&str]) {
        let value = (!rules.is_empty()).then(|| {
            hyper::header::HeaderValue::from_str(&rules.join(","))
                .unwrap_or_else(|error| panic!("fidelity rule names {rules:?}: {error}"))
        });
        self.lock().lenient = value;
    }

    /// Arms a fault.
    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    /// Answers every call of `operation` from now on with `body` (HTTP 200, `application/x-amz-json-1.1`, as
    /// Cognito answers), without forwarding it; replaces any answer armed for it before. A fault armed for the
    /// call still wins (one after forwarding replaces the answer), and holds and latency apply as to any call.
    /// Answers stay armed across [`RecordingProxy::clear`].
    pub fn answer(&self, operation: &str, body: Value) {
        self.answer_with(operation, move |_| body.clone());
    }

    /// Like [`RecordingProxy::answer`], with the body built from each call's request (JSON; `null` when it is not
    /// JSON): how a test answers the pages of a listing by their `NextToken`, or a ListUsers by its `Filter`.
    pub fn answer_with(&self, operation: &str, answer: impl Fn(&Value) -> Value + Send + Sync + 'static) {
        self.lock().answers.insert(operation.to_owned(), Arc::new(answer));
    }

    /// Stops every call of `operation` from now on at the proxy until the returned [`Hold`] is released
    /// or dropped.
    pub fn hold(&self, operation: &str) -> Hold {
        self.hold_from(operation, 1)
    }

    /// Like [`RecordingProxy::hold`], but lets the calls of `operation` before the `nth` through (counted
    /// from 1 since the proxy started or was last cleared, as [`Fault::nth`] counts): how a test stops the
    /// second ListUserPools of a run and not the first.
    pub fn hold_from(&self, operation: &str, nth: u32) -> Hold {
        let state = Arc::new(HoldState {
            operation: operation.to_owned(),
            from: nth,
            waiting: tokio::sync::watch::Sender::new(0),
            released: tokio::sync::watch::Sender::new(false),
        });
        self.lock().holds.push(Arc::clone(&state));
        Hold { state }
    }

    /// The recorded calls of `operation`, in the order they arrived.
    pub fn calls_of(&self, operation: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|call| call.operation == operation)
            .collect()
    }

    /// Everything recorded so far, in the order the calls arrived (a call is recorded when it ends,
    /// so concurrent calls are put back in order of arrival here).
    pub fn calls(&self) -> Vec<Call> {
        let mut calls = self.lock().calls.clone();
        calls.sort_by_key(|call| call.started);
        calls
    }

    /// The operations recorded so far, in the order they arrived.
    pub fn operations(&self) -> Vec<String> {
        self.calls().into_iter().map(|call| call.operation).collect()
    }

    /// Forgets the recording, the per-operation counts and the armed faults (latency, holds, answers and the
    /// [`RecordingProxy::lenient`] rules stay).
    pub fn clear(&self) {
        let mut state = self.lock();
        state.calls.clear();
        state.counts.clear();
        state.faults.clear();
    }

    /// The largest number of recorded calls that were in flight at the same moment. Calls a test means to
    /// count as concurrent must be held together ([`release_together`]): left alone, a fast answer can
    /// come back before its sibling even arrives.
    pub fn max_in_flight(&self) -> usize {
        max_overlap(&self.lock().calls)
    }

    /// The number of sequential round trips: calls that overlap in time count as one. Exact for calls that
    /// wait for each other's answers, and for concurrent ones held together ([`release_together`]).
    pub fn round_trips(&self) -> usize {
        round_trips(&self.lock().calls)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The largest number of intervals in flight at one instant.
pub fn max_overlap(calls: &[Call]) -> usize {
    let mut events: Vec<(Instant, i32)> = calls
        .iter()
        .flat_map(|call| [(call.started, 1), (call.finished, -1)])
        .collect();
    // At equal instants, ends before starts: touching intervals do not overlap.
    events.sort();
    let mut in_flight = 0i32;
    let mut max = 0i32;
    for (_, delta) in events {
        in_flight += delta;
        max = max.max(in_flight);
    }
    max as usize
}

/// Groups calls into waves of overlapping intervals and counts the waves.
pub fn round_trips(calls: &[Call]) -> usize {
    let mut sorted: Vec<&Call> = calls.iter().collect();
    sorted.sort_by_key(|call| call.started);
    let mut trips = 0;
    let mut wave_end: Option<Instant> = None;
    for call in sorted {
        match wave_end {
            Some(end) if call.started < end => wave_end = Some(end.max(call.finished)),
            _ => {
                trips += 1;
                wave_end = Some(call.finished);
            }
        }
    }
    trips
}

/// Twelve digits, unique across the proxies of every test process running at once: the process ID,
/// then a per-process counter.
fn unique_account_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let value = u64::from(std::process::id()) * 1_000_000 + COUNTER.fetch_add(1, Ordering::Relaxed) % 1_000_000;
    format!("{:012}", value % 1_000_000_000_000)
}

#[derive(Clone)]
struct Forwarder {
    account_id: hyper::header::HeaderValue,
    /// `None` for a proxy that only answers ([`RecordingProxy::answering_only`]).
    upstream: Option<hyper::Uri>,
    client: Client<HttpConnector, Full<Bytes>>,
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("connection dropped by testkit fault injection")
    }
}

impl std::error::Error for Dropped {}

impl Forwarder {
    async fn handle(&self, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
        let started = Instant::now();
        let (parts, body) = request.into_parts();
        let body = body
            .collect()
            .await
            .map(|collected| collected.to_bytes())
            .unwrap_or_default();
        let operation = operation_of(&parts.headers, &body);
        let (latency, fault, holds, lenient, answer) = {
            let mut state = self.lock();
            let count = state.counts.entry(operation.clone()).or_default();
            *count += 1;
            let count = *count;
            let fault = state
                .faults
                .iter()
                .find(|fault| fault.applies_to(&operation, count))
                .cloned();
            let holds: Vec<_> = state
                .holds
                .iter()
                .filter(|hold| hold.operation == operation && count >= hold.from)
                .cloned()
                .collect();
            (
                state.latency,
                fault,
                holds,
                state.lenient.clone(),
                state.answers.get(&operation).cloned(),
            )
        };
        for hold in holds {
            wait_at(&hold).await;
        }
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let reaches_upstream = answer.is_none() && self.upstream.is_some();
        let forwarded = reaches_upstream && fault.as_ref().is_none_or(|fault| fault.after_forwarding);
        let response = match &fault {
            Some(fault) if !fault.after_forwarding => fault_response(fault.kind),
            Some(fault) => {
                // The emulator does the work; its answer is lost.
                self.respond(&operation, answer.as_ref(), parts, body.clone(), lenient.clone())
                    .await;
                fault_response(fault.kind)
            }
            None => Ok(self
                .respond(&operation, answer.as_ref(), parts, body.clone(), lenient)
                .await),
        };
        let status = response.as_ref().ok().map(|response| response.status().as_u16());
        self.lock().calls.push(Call {
            operation,
            started,
            finished: Instant::now(),
            status,
            fault: fault.map(|fault| fault.kind),
            forwarded,
            request: body,
        });
        response
    }

    /// The test's answer, else the emulator's, else (no emulator) an error naming the operation.
    async fn respond(
        &self,
        operation: &str,
        answer: Option<&AnswerFn>,
        parts: hyper::http::request::Parts,
        body: Bytes,
        lenient: Option<hyper::header::HeaderValue>,
    ) -> Response<Full<Bytes>> {
        match (answer, &self.upstream) {
            (Some(answer), _) => {
                let request = serde_json::from_slice(&body).unwrap_or(Value::Null);
                json_response(StatusCode::OK, answer(&request).to_string())
            }
            (None, Some(upstream)) => self.forward(upstream, parts, body, lenient).await,
            (None, None) => aws_error(
                StatusCode::BAD_REQUEST,
                "UnansweredByTestkit",
                &format!("this proxy only answers, and no answer is armed for {operation}"),
            ),
        }
    }

    /// Sends the call to the emulator, in this proxy's account and with the lenient rules it arrived under.
    async fn forward(
        &self,
        upstream: &hyper::Uri,
        mut parts: hyper::http::request::Parts,
        body: Bytes,
        lenient: Option<hyper::header::HeaderValue>,
    ) -> Response<Full<Bytes>> {
        let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
        let mut uri = upstream.clone().into_parts();
        uri.path_and_query = path.parse().ok();
        parts.uri = hyper::Uri::from_parts(uri).expect("upstream URI with a request path is valid");
        parts.headers.remove(hyper::header::HOST);
        parts.headers.insert("x-moto-account-id", self.account_id.clone());
        parts.headers.remove(LENIENT_HEADER);
        if let Some(lenient) = lenient {
            parts.headers.insert(LENIENT_HEADER, lenient);
        }
        let request = Request::from_parts(parts, Full::new(body));
        match self.client.request(request).await {
            Ok(response) => {
                let (parts, body) = response.into_parts();
                let body = body
                    .collect()
                    .await
                    .map(|collected| collected.to_bytes())
                    .unwrap_or_default();
                Response::from_parts(parts, Full::new(body))
            }
            Err(error) => {
                let mut response = Response::new(Full::new(Bytes::from(format!(
                    "testkit proxy: upstream unreachable: {error}"
                ))));
                *response.status_mut() = StatusCode::BAD_GATEWAY;
                response
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Counts the call as waiting at `hold` until the hold is released (or the call is abandoned).
async fn wait_at(hold: &HoldState) {
    let mut released = hold.released.subscribe();
    if *released.borrow() {
        return;
    }
    hold.waiting.send_modify(|waiting| *waiting += 1);
    let _waiting = Waiting(hold);
    // An error means the hold was dropped, which releases it.
    let _ = released.wait_for(|released| *released).await;
}

/// One call counted as waiting at a hold; uncounted when it leaves, released or dropped.
struct Waiting<'a>(&'a HoldState);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.send_modify(|waiting| *waiting -= 1);
    }
}

fn fault_response(kind: FaultKind) -> Result<Response<Full<Bytes>>, Dropped> {
    match kind {
        FaultKind::Throttling => Ok(aws_error(
            StatusCode::BAD_REQUEST,
            "ThrottlingException",
            "Rate exceeded",
        )),
        FaultKind::TooManyRequests => Ok(aws_error(
            StatusCode::BAD_REQUEST,
            "TooManyRequestsException",
            "Rate exceeded",
        )),
        FaultKind::ServerError => Ok(aws_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalErrorException",
            "Internal error",
        )),
        FaultKind::ServerErrorPage => {
            let page = "<!doctype html>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n";
            let mut response = Response::new(Full::new(Bytes::from(page)));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response.headers_mut().insert(
                "content-type",
                "text/html; charset=utf-8".parse().expect("valid header"),
            );
            Ok(response)
        }
        FaultKind::ConcurrentModification => Ok(aws_error(
            StatusCode::BAD_REQUEST,
            "ConcurrentModificationException",
            "Another operation is in progress on this resource",
        )),
        FaultKind::Refused { code, message } => Ok(aws_error(StatusCode::BAD_REQUEST, code, message)),
        FaultKind::DropConnection => Err(Dropped),
    }
}

fn operation_of(headers: &hyper::HeaderMap, body: &[u8]) -> String {
    if let Some(target) = headers.get("x-amz-target").and_then(|value| value.to_str().ok()) {
        return target.rsplit('.').next().unwrap_or(target).to_owned();
    }
    String::from_utf8_lossy(body)
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .unwrap_or("unknown")
        .to_owned()
}

fn aws_error(status: StatusCode, kind: &str, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({"__type": kind, "message": format!("{message} (injected by testkit)")});
    let mut response = json_response(status, body.to_string());
    response
        .headers_mut()
        .insert("x-amzn-errortype", kind.parse().expect("valid header"));
    response
}

/// A response in Cognito's JSON protocol.
fn json_response(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        "content-type",
        "application/x-amz-json-1.1".parse().expect("valid header"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(start_ms: u64, end_ms: u64, base: Instant) -> Call {
        Call {
            operation: "X".into(),
            started: base + Duration::from_millis(start_ms),
            finished: base + Duration::from_millis(end_ms),
            status: Some(200),
            fault: None,
            forwarded: true,
            request: Bytes::new(),
        }
    }

    #[test]
    fn overlap_and_round_trips() {
        let base = Instant::now();
        let sequential = [call(0, 10, base), call(10, 20, base), call(25, 30, base)];
        assert_eq!(max_overlap(&sequential), 1);
        assert_eq!(round_trips(&sequential), 3);
        let concurrent = [
            call(0, 10, base),
            call(20, 40, base),
            call(21, 35, base),
            call(22, 41, base),
            call(50, 60, base),
        ];
        assert_eq!(max_overlap(&concurrent), 3);
        assert_eq!(round_trips(&concurrent), 3);
        assert_eq!(round_trips(&[]), 0);
    }

    #[test]
    fn operation_from_target_header_or_form_action() {
        let mut headers = hyper::HeaderMap::new();
        headers.insert(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUserPools".parse().unwrap(),
        );
        assert_eq!(operation_of(&headers, b""), "ListUserPools");
        assert_eq!(
            operation_of(&hyper::HeaderMap::new(), b"Action=GetCallerIdentity&Version=2011-06-15"),
            "GetCallerIdentity"
        );
        assert_eq!(operation_of(&hyper::HeaderMap::new(), b""), "unknown");
    }

    #[test]
    fn fault_window() {
        let fault = Fault {
            operation: "A".into(),
            nth: 2,
            times: 2,
            kind: FaultKind::Throttling,
            after_forwarding: false,
        };
        assert!(!fault.applies_to("A", 1));
        assert!(fault.applies_to("A", 2));
        assert!(fault.applies_to("A", 3));
        assert!(!fault.applies_to("A", 4));
        assert!(!fault.applies_to("B", 2));
    }
}
