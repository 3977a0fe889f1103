//! The server's state and its answer to each message.

use crate::lookup::Target;
use crate::text::LineIndex;
use crate::world::{self, Document, World};
use crate::{complete, diagnostics, format, hover, lookup, navigate, workspace, DEBOUNCE};
use guide_compiler::project::Project;
use lsp_server::{ErrorCode, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Rename,
    Request as _,
};
use lsp_types::{
    CompletionOptions, CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse, Hover,
    HoverContents, HoverProviderCapability, Location, MarkupContent, MarkupKind, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Url, WorkspaceEdit,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

/// What the server offers: full-text sync, hover, completion (triggered by `|`, `.`, space),
/// definition, outline, rename, formatting.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["|".into(), ".".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// The state of a session: the open documents, the diagnostics waiting for their turn, and
/// where each document's diagnostics were published last.
#[derive(Debug, Default)]
pub struct Server {
    world: World,
    pending: BTreeMap<PathBuf, Instant>,
    published: HashMap<PathBuf, BTreeSet<Url>>,
    roots: Vec<PathBuf>,
}

type Answer = Result<Value, (ErrorCode, String)>;

impl Server {
    /// Takes the workspace folders from the client's `initialize` parameters (`workspaceFolders`,
    /// else `rootUri`): a rename reaches every campaign under them, open or not.
    pub fn initialize(&mut self, params: &Value) {
        let folders = params["workspaceFolders"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f["uri"].as_str())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let uris = if folders.is_empty() {
            params["rootUri"].as_str().into_iter().collect()
        } else {
            folders
        };
        self.roots = uris
            .into_iter()
            .filter_map(|u| Url::parse(u).ok())
            .filter_map(|u| World::path_of(&u))
            .collect();
    }

    /// Opens or replaces a document (as `didOpen` does), diagnostics due at `due`.
    pub fn open(&mut self, uri: Url, text: String, due: Instant) {
        if let Some(path) = World::path_of(&uri) {
            self.world.open(path.clone(), Document { uri, text });
            self.pending.insert(path, due);
        }
    }

    /// Closes a document (as `didClose` does): the file on disk is read again.
    pub fn close(&mut self, uri: &Url) {
        if let Some(path) = World::path_of(uri) {
            self.world.close(&path);
            self.pending.remove(&path);
        }
    }

    /// When the next diagnostics are due.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.values().min().copied()
    }

    /// Handles a notification from the client.
    pub fn notify(&mut self, n: Notification, now: Instant) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    self.open(p.text_document.uri, p.text_document.text, now);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                {
                    // Full sync: the last change holds the whole text.
                    if let Some(change) = p.content_changes.into_iter().last() {
                        self.open(p.text_document.uri, change.text, now + DEBOUNCE);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                {
                    if let Some(path) = World::path_of(&p.text_document.uri) {
                        self.pending.insert(path, now);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    if let Some(path) = World::path_of(&p.text_document.uri) {
                        self.world.close(&path);
                        self.pending.remove(&path);
                    }
                }
            }
            _ => {}
        }
    }

    /// The `publishDiagnostics` notifications due at `now`.
    pub fn due(&mut self, now: Instant) -> Vec<Notification> {
        let ready: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(p, _)| p.clone())
            .collect();
        let mut out = Vec::new();
        for path in ready {
            self.pending.remove(&path);
            for (uri, diagnostics) in self.diagnostics(&path) {
                let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
                out.push(Notification::new(PublishDiagnostics::METHOD.into(), params));
            }
        }
        out
    }

    /// The diagnostics of the project of the open document at `path`, by file (with an empty
    /// list for each file that had some at the last publication and has none now).
    pub fn diagnostics(&mut self, path: &Path) -> Vec<(Url, Vec<lsp_types::Diagnostic>)> {
        let Some(doc) = self.world.docs().get(path) else {
            return Vec::new();
        };
        let own = doc.uri.clone();
        let mut found = match self.world.project(path) {
            Some(project) => {
                let compiled = guide_compiler::compile(&project);
                diagnostics::by_file(&self.world, &compiled.diagnostics)
            }
            None => BTreeMap::new(),
        };
        found.entry(own).or_default();
        let now: BTreeSet<Url> = found.keys().cloned().collect();
        let before = self
            .published
            .insert(path.to_path_buf(), now)
            .unwrap_or_default();
        for uri in before {
            found.entry(uri).or_default();
        }
        found.into_iter().collect()
    }

    /// Answers a request.
    pub fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.answer(&req.method, req.params)
        }))
        .unwrap_or_else(|_| {
            Err((
                ErrorCode::InternalError,
                "the server failed on this request".into(),
            ))
        });
        respond(id, answer)
    }

    /// Answers a request given by its method and parameters (what [`Server::request`] does,
    /// without the envelope).
    pub fn answer(&mut self, method: &str, params: Value) -> Answer {
        match method {
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = parse(params)?;
                to_value(self.hover(&p.text_document_position_params))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = parse(params)?;
                to_value(self.complete(&p.text_document_position))
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = parse(params)?;
                to_value(self.definition(&p.text_document_position_params))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = parse(params)?;
                to_value(self.symbols(&p.text_document.uri))
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = parse(params)?;
                let edit = self.rename(&p.text_document_position, &p.new_name)?;
                to_value(edit)
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = parse(params)?;
                to_value(self.format(&p.text_document.uri))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("unknown request {other}"),
            )),
        }
    }

    /// The open document at `uri`, its project, and the byte offset of `pos` in it.
    fn at(
        &self,
        uri: &Url,
        pos: Option<lsp_types::Position>,
    ) -> Option<(&Document, Rc<Project>, usize)> {
        let path = World::path_of(uri)?;
        let doc = self.world.docs().get(&path)?;
        let project = self.world.project(&path)?;
        let offset = pos.map_or(0, |p| LineIndex::new(&doc.text).offset(p));
        Some((doc, project, offset))
    }

    /// Hover at a position.
    pub fn hover(&self, at: &TextDocumentPositionParams) -> Option<Hover> {
        let (doc, project, offset) = self.at(&at.text_document.uri, Some(at.position))?;
        let ast = project.asts.first()?;
        let (span, target) = lookup::at(ast, offset)?;
        let text = hover::hover(&project, &target)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(LineIndex::new(&doc.text).range(&span)),
        })
    }

    /// Completion at a position.
    pub fn complete(&self, at: &TextDocumentPositionParams) -> Option<CompletionResponse> {
        let (doc, project, offset) = self.at(&at.text_document.uri, Some(at.position))?;
        Some(CompletionResponse::Array(complete::complete(
            &project, &doc.text, offset,
        )))
    }

    /// Go to definition.
    pub fn definition(&self, at: &TextDocumentPositionParams) -> Option<GotoDefinitionResponse> {
        let (_, project, offset) = self.at(&at.text_document.uri, Some(at.position))?;
        let (_, target) = lookup::at(project.asts.first()?, offset)?;
        let (file, span) = navigate::definition(&project, &target)?;
        let uri = self.world.uri_of(&file.path)?;
        let range = LineIndex::new(&file.text).range(&span);
        Some(GotoDefinitionResponse::Scalar(Location::new(uri, range)))
    }

    /// The outline of a document.
    pub fn symbols(&self, uri: &Url) -> Option<DocumentSymbolResponse> {
        let doc = self.world.docs().get(&World::path_of(uri)?)?;
        let (ast, _) = guide_compiler::syntax::parse(&doc.text);
        Some(DocumentSymbolResponse::Nested(navigate::symbols(
            &ast, &doc.text,
        )))
    }

    /// Renames the scene, pop-up or service at a position wherever it is used: in every file of
    /// its project, and of every other campaign that takes it from the same file (the open
    /// documents' and those under the workspace folders, open or not).
    pub fn rename(
        &self,
        at: &TextDocumentPositionParams,
        new_name: &str,
    ) -> Result<Option<WorkspaceEdit>, (ErrorCode, String)> {
        let Some((_, project, offset)) = self.at(&at.text_document.uri, Some(at.position)) else {
            return Ok(None);
        };
        let Some((_, kind, name)) = project
            .asts
            .first()
            .and_then(|a| navigate::symbol_at(a, offset))
        else {
            return Err((
                ErrorCode::InvalidRequest,
                "only a scene, pop-up or service can be renamed".into(),
            ));
        };
        if !navigate::valid_name(new_name) {
            return Err((
                ErrorCode::InvalidParams,
                format!("`{new_name}` is not a valid name (letters, digits and _, not a keyword)"),
            ));
        }
        // Where the symbol is defined: only the projects that take it from that very file are
        // renamed (another campaign may define a scene of the same name for itself).
        let target = Target::Symbol(kind, name.clone());
        let home_of = |project: &Project| {
            navigate::definition(project, &target)
                .map(|(file, _)| world::normalize(Path::new(&file.path)))
        };
        let Some(home) = home_of(&project) else {
            return Err((
                ErrorCode::InvalidRequest,
                format!("`{name}` is not defined in this campaign or its imports"),
            ));
        };
        // The open documents (this one among them) and every campaign under the workspace.
        let mut candidates: BTreeSet<PathBuf> = self.world.docs().keys().cloned().collect();
        candidates.extend(workspace::guide_files(&self.roots));
        let projects = candidates
            .iter()
            .filter_map(|p| self.world.project(p))
            .filter(|project| home_of(project).as_ref() == Some(&home));
        let mut edits: BTreeMap<Url, BTreeSet<(u32, u32, u32, u32)>> = BTreeMap::new();
        for project in projects {
            for (file, span) in navigate::occurrences(&project, kind, &name) {
                let Some(uri) = self.world.uri_of(&file.path) else {
                    continue;
                };
                let r = LineIndex::new(&file.text).range(&span);
                edits.entry(uri).or_default().insert((
                    r.start.line,
                    r.start.character,
                    r.end.line,
                    r.end.character,
                ));
            }
        }
        let changes: HashMap<Url, Vec<TextEdit>> = edits
            .into_iter()
            .map(|(uri, ranges)| {
                let list = ranges
                    .into_iter()
                    .map(|(a, b, c, d)| {
                        TextEdit::new(
                            lsp_types::Range::new(
                                lsp_types::Position::new(a, b),
                                lsp_types::Position::new(c, d),
                            ),
                            new_name.to_string(),
                        )
                    })
                    .collect();
                (uri, list)
            })
            .collect();
        Ok(Some(WorkspaceEdit::new(changes)))
    }

    /// The edits that format a document (none when it is formatted or cannot be).
    pub fn format(&self, uri: &Url) -> Option<Vec<TextEdit>> {
        let doc = self.world.docs().get(&World::path_of(uri)?)?;
        let formatted = format::format(&doc.text)?;
        if formatted == doc.text {
            return Some(Vec::new());
        }
        let idx = LineIndex::new(&doc.text);
        Some(vec![TextEdit::new(
            idx.range(&(0..doc.text.len())),
            formatted,
        )])
    }
}

fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn to_value<T: serde::Serialize>(v: T) -> Answer {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

fn respond(id: RequestId, answer: Answer) -> Response {
    match answer {
        Ok(v) => Response::new_ok(id, v),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    }
}
