"""The app WebSocket protocol: every message between a browser tab and its app session.

This module is the single source of truth for the app wire format. The frontend's TypeScript
types are generated from it, and every inbound frame is decoded against it with validation
(`decode_client`), which is the WebSocket input validation: unknown message types, missing or
mistyped fields, oversized strings and lists are rejected before any app code sees them.

Wire format: one JSON object per WebSocket text frame, tagged by its `"type"` field. Elements and
blocks are tagged the same way. Field names are snake_case on both sides.

Message flow::

    client                                   server
      | -- Hello{protocol, resume_token?} ---> |   first frame, always
      | <-- Welcome{protocol, resume_token} -- |   or Refused{code, message} and the socket closes
      | -- Rerun{widgets, query_string?} ----> |   always next, after a new or resumed Welcome
      | <-- Batch[RunStarted, Delta..., ...] - |   one frame per flush (a few ms apart at most)
      | <-- Batch[..., Delta..., RunFinished]  |
      | -- Rerun{widgets: {id: value}} ------> |   a widget changed (outside a form)
      | -- Submit{form, button, widgets} ----> |   a form was submitted (its batched values)
      | -- Rerun{widgets, fragment_id} ------> |   a widget inside a fragment changed: rerun only
      |                                        |   that fragment (ids the session never sent, or
      |                                        |   no longer shows, are ignored)
      | -- Stop{} ---------------------------> |   stop the running script
      | -- FetchRows{data_id, start, stop} --> |   more rows of a shown dataframe (data.py)
      | <-- Rows{request, arrow | error} ----- |   its own frame, outside any batch
      | <-- Batch[RunStarted, ...] ----------- |   a new run interrupts the old one: the old run
      |                                        |   ends with RunFinished{status: "rerun"} first

After a resumed Welcome the server sends nothing more of a run that was in progress: the client's
first Rerun starts a fresh one, and a resumed session keeps its widget state, so that Rerun may
carry no widgets at all.

Deltas are addressed by a position path, as in Streamlit's ``delta_path``: ``[root, i, j, ...]``
where ``root`` is 0 for the main area and 1 for the sidebar, and each following index is the
position inside the enclosing block. A block (columns, expander, form, ...) is a node whose
children are addressed by extending its path.

Rendering rules the client must follow:

- ``NewElement`` puts an element at ``path``; if a block was there, the block and its children go.
- ``NewBlock`` puts a block at ``path``; if a block was already there, its children are kept
  (they are re-addressed by the deltas that follow, and cleared at the end of the run if not).
- ``Same`` marks the node already at ``path`` as written by this run, unchanged: the server sends it
  instead of an element or block identical to the one it sent at that path before.
- Every node carries the run that last wrote it. During a run, nodes not yet written by it are
  stale (shown faded). On ``RunFinished`` with a status other than ``"rerun"``, every node this run
  did not write is removed. On ``"rerun"`` (the run was interrupted by a newer one) nothing is
  removed: the next run's deltas replace it.
- Fragment runs (``RunStarted.fragments`` not empty) are scoped: they write only inside the
  ``Fragment``/``Dialog`` blocks whose ``fragment_id`` they name (and, for elements a fragment sends
  to another container such as the sidebar, at positions after that container's last node). During
  such a run only nodes inside those blocks go stale, and at its end only nodes inside them that it
  did not write are removed. Every other node is left exactly as it is, never stale.
- ``Toast`` events are not tree nodes: the client stacks them apart from the tree, keeps them
  across runs until their ``duration`` runs out, and replaces one whose ``id`` it already shows.

Widget identity and values: each widget element has an ``id``. The client reports a widget's new
value as ``widgets[id] = value`` in the next ``Rerun`` (only values that changed since the last
message are required; the server keeps the rest). Values by widget type: button and
form_submit_button ``true`` (a one-shot trigger), checkbox/toggle ``bool``, radio and selectbox
the option index or ``null``, multiselect a list of option indices, slider a list of one or two
numbers, select_slider a list of one or two option indices, text_input/text_area a string or
``null``, number_input a number or ``null``. The server validates every value against the widget's
definition (type, bounds, option membership, length, disabled) and ignores invalid ones. A widget
element's ``value`` fields are authoritative: the client adopts them whenever it receives the
element again (this is how ``st.session_state`` writes reach the browser).

Security contract for the client: fields named ``*_html`` hold HTML the server rendered from
markdown and sanitized with an allow-list; the client inserts them as HTML and never parses
markdown. Every other string is plain text and must be inserted as text, never as HTML.
Secrets never appear in any message.
"""

from bastion.protocol.app._base import (
    MAX_JSON_KEY as MAX_JSON_KEY,
)
from bastion.protocol.app._base import (
    MAX_LIST_VALUE as MAX_LIST_VALUE,
)
from bastion.protocol.app._base import (
    MAX_QUERY_STRING as MAX_QUERY_STRING,
)
from bastion.protocol.app._base import (
    MAX_TEXT_VALUE as MAX_TEXT_VALUE,
)
from bastion.protocol.app._base import (
    MAX_TOKEN as MAX_TOKEN,
)
from bastion.protocol.app._base import (
    MAX_WIDGET_ID as MAX_WIDGET_ID,
)
from bastion.protocol.app._base import (
    MAX_WIDGETS_PER_MESSAGE as MAX_WIDGETS_PER_MESSAGE,
)
from bastion.protocol.app._base import (
    PROTOCOL_VERSION as PROTOCOL_VERSION,
)
from bastion.protocol.app._base import (
    ROOT_BOTTOM as ROOT_BOTTOM,
)
from bastion.protocol.app._base import (
    ROOT_MAIN as ROOT_MAIN,
)
from bastion.protocol.app._base import (
    ROOT_SIDEBAR as ROOT_SIDEBAR,
)
from bastion.protocol.app._base import (
    Gap as Gap,
)
from bastion.protocol.app._base import (
    LabelVisibility as LabelVisibility,
)
from bastion.protocol.app._base import (
    Number as Number,
)
from bastion.protocol.app._base import (
    Path as Path,
)
from bastion.protocol.app._base import (
    Scalar as Scalar,
)
from bastion.protocol.app._base import (
    WidgetValue as WidgetValue,
)
from bastion.protocol.app._base import (
    WidgetValues as WidgetValues,
)
from bastion.protocol.app.blocks import (
    Column as Column,
)
from bastion.protocol.app.blocks import (
    Columns as Columns,
)
from bastion.protocol.app.blocks import (
    Expander as Expander,
)
from bastion.protocol.app.blocks import (
    Form as Form,
)
from bastion.protocol.app.blocks import (
    Tab as Tab,
)
from bastion.protocol.app.blocks import (
    Tabs as Tabs,
)
from bastion.protocol.app.blocks import (
    Vertical as Vertical,
)
from bastion.protocol.app.charts import (
    ChartColumn as ChartColumn,
)
from bastion.protocol.app.charts import (
    ChartDataset as ChartDataset,
)
from bastion.protocol.app.charts import (
    ChartImage as ChartImage,
)
from bastion.protocol.app.charts import (
    ChartTheme as ChartTheme,
)
from bastion.protocol.app.charts import (
    PlotlyChart as PlotlyChart,
)
from bastion.protocol.app.charts import (
    VegaLiteChart as VegaLiteChart,
)
from bastion.protocol.app.chat import (
    ChatInput as ChatInput,
)
from bastion.protocol.app.chat import (
    ChatMessage as ChatMessage,
)
from bastion.protocol.app.compat import (
    ClientInfo as ClientInfo,
)
from bastion.protocol.app.compat import (
    DateTimeInput as DateTimeInput,
)
from bastion.protocol.app.compat import (
    GraphvizChart as GraphvizChart,
)
from bastion.protocol.app.compat import (
    Pdf as Pdf,
)
from bastion.protocol.app.data import (
    MAX_FETCH_ROWS as MAX_FETCH_ROWS,
)
from bastion.protocol.app.data import (
    ColumnKind as ColumnKind,
)
from bastion.protocol.app.data import (
    DataColumn as DataColumn,
)
from bastion.protocol.app.data import (
    DataFrame as DataFrame,
)
from bastion.protocol.app.data import (
    FetchRows as FetchRows,
)
from bastion.protocol.app.data import (
    Rows as Rows,
)
from bastion.protocol.app.data import (
    SelectionMode as SelectionMode,
)
from bastion.protocol.app.embed import (
    Frame as Frame,
)
from bastion.protocol.app.embed import (
    Html as Html,
)
from bastion.protocol.app.fragments import (
    Dialog as Dialog,
)
from bastion.protocol.app.fragments import (
    Fragment as Fragment,
)
from bastion.protocol.app.fragments import (
    Popover as Popover,
)
from bastion.protocol.app.fragments import (
    Status as Status,
)
from bastion.protocol.app.fragments import (
    Toast as Toast,
)
from bastion.protocol.app.inputs import (
    ButtonGroup as ButtonGroup,
)
from bastion.protocol.app.inputs import (
    ColorPicker as ColorPicker,
)
from bastion.protocol.app.inputs import (
    DateInput as DateInput,
)
from bastion.protocol.app.inputs import (
    TimeInput as TimeInput,
)
from bastion.protocol.app.media import (
    Audio as Audio,
)
from bastion.protocol.app.media import (
    DownloadButton as DownloadButton,
)
from bastion.protocol.app.media import (
    FileUploader as FileUploader,
)
from bastion.protocol.app.media import (
    Image as Image,
)
from bastion.protocol.app.media import (
    ImageItem as ImageItem,
)
from bastion.protocol.app.media import (
    LinkButton as LinkButton,
)
from bastion.protocol.app.media import (
    Logo as Logo,
)
from bastion.protocol.app.media import (
    Subtitle as Subtitle,
)
from bastion.protocol.app.media import (
    UploadedFileInfo as UploadedFileInfo,
)
from bastion.protocol.app.media import (
    Video as Video,
)
from bastion.protocol.app.messages import (
    Batch as Batch,
)
from bastion.protocol.app.messages import (
    Block as Block,
)
from bastion.protocol.app.messages import (
    ClientMsg as ClientMsg,
)
from bastion.protocol.app.messages import (
    Element as Element,
)
from bastion.protocol.app.messages import (
    Event as Event,
)
from bastion.protocol.app.messages import (
    Hello as Hello,
)
from bastion.protocol.app.messages import (
    NewBlock as NewBlock,
)
from bastion.protocol.app.messages import (
    NewElement as NewElement,
)
from bastion.protocol.app.messages import (
    PageConfig as PageConfig,
)
from bastion.protocol.app.messages import (
    ProtocolError as ProtocolError,
)
from bastion.protocol.app.messages import (
    QueryChanged as QueryChanged,
)
from bastion.protocol.app.messages import (
    Refused as Refused,
)
from bastion.protocol.app.messages import (
    Rerun as Rerun,
)
from bastion.protocol.app.messages import (
    RunFinished as RunFinished,
)
from bastion.protocol.app.messages import (
    RunStarted as RunStarted,
)
from bastion.protocol.app.messages import (
    RunStatus as RunStatus,
)
from bastion.protocol.app.messages import (
    Same as Same,
)
from bastion.protocol.app.messages import (
    ServerMsg as ServerMsg,
)
from bastion.protocol.app.messages import (
    Stop as Stop,
)
from bastion.protocol.app.messages import (
    Submit as Submit,
)
from bastion.protocol.app.messages import (
    Theme as Theme,
)
from bastion.protocol.app.messages import (
    Welcome as Welcome,
)
from bastion.protocol.app.messages import (
    decode_client as decode_client,
)
from bastion.protocol.app.messages import (
    decode_server as decode_server,
)
from bastion.protocol.app.messages import (
    encode as encode,
)
from bastion.protocol.app.messages import (
    json_schema as json_schema,
)
from bastion.protocol.app.pages import (
    MAX_PAGE_NAME as MAX_PAGE_NAME,
)
from bastion.protocol.app.pages import (
    AuthRedirect as AuthRedirect,
)
from bastion.protocol.app.pages import (
    Navigation as Navigation,
)
from bastion.protocol.app.pages import (
    NavPage as NavPage,
)
from bastion.protocol.app.pages import (
    PageLink as PageLink,
)
from bastion.protocol.app.pages import (
    PageName as PageName,
)
from bastion.protocol.app.pages import (
    PageNotFound as PageNotFound,
)
from bastion.protocol.app.text import (
    Alert as Alert,
)
from bastion.protocol.app.text import (
    Balloons as Balloons,
)
from bastion.protocol.app.text import (
    Code as Code,
)
from bastion.protocol.app.text import (
    Divider as Divider,
)
from bastion.protocol.app.text import (
    DocMember as DocMember,
)
from bastion.protocol.app.text import (
    DocString as DocString,
)
from bastion.protocol.app.text import (
    Empty as Empty,
)
from bastion.protocol.app.text import (
    ExceptionInfo as ExceptionInfo,
)
from bastion.protocol.app.text import (
    Heading as Heading,
)
from bastion.protocol.app.text import (
    Json as Json,
)
from bastion.protocol.app.text import (
    Markdown as Markdown,
)
from bastion.protocol.app.text import (
    Metric as Metric,
)
from bastion.protocol.app.text import (
    Progress as Progress,
)
from bastion.protocol.app.text import (
    Space as Space,
)
from bastion.protocol.app.text import (
    Spinner as Spinner,
)
from bastion.protocol.app.text import (
    Text as Text,
)
from bastion.protocol.app.widgets import (
    Button as Button,
)
from bastion.protocol.app.widgets import (
    Checkbox as Checkbox,
)
from bastion.protocol.app.widgets import (
    Multiselect as Multiselect,
)
from bastion.protocol.app.widgets import (
    NumberInput as NumberInput,
)
from bastion.protocol.app.widgets import (
    Radio as Radio,
)
from bastion.protocol.app.widgets import (
    Selectbox as Selectbox,
)
from bastion.protocol.app.widgets import (
    SelectSlider as SelectSlider,
)
from bastion.protocol.app.widgets import (
    Slider as Slider,
)
from bastion.protocol.app.widgets import (
    TextInput as TextInput,
)

__all__ = [
    "MAX_FETCH_ROWS",
    "MAX_JSON_KEY",
    "MAX_LIST_VALUE",
    "MAX_PAGE_NAME",
    "MAX_QUERY_STRING",
    "MAX_TEXT_VALUE",
    "MAX_TOKEN",
    "MAX_WIDGETS_PER_MESSAGE",
    "MAX_WIDGET_ID",
    "PROTOCOL_VERSION",
    "ROOT_BOTTOM",
    "ROOT_MAIN",
    "ROOT_SIDEBAR",
    "Alert",
    "Audio",
    "AuthRedirect",
    "Balloons",
    "Batch",
    "Block",
    "Button",
    "ButtonGroup",
    "ChartColumn",
    "ChartDataset",
    "ChartImage",
    "ChartTheme",
    "ChatInput",
    "ChatMessage",
    "Checkbox",
    "ClientInfo",
    "ClientMsg",
    "Code",
    "ColorPicker",
    "Column",
    "ColumnKind",
    "Columns",
    "DataColumn",
    "DataFrame",
    "DateInput",
    "DateTimeInput",
    "Dialog",
    "Divider",
    "DocMember",
    "DocString",
    "DownloadButton",
    "Element",
    "Empty",
    "Event",
    "ExceptionInfo",
    "Expander",
    "FetchRows",
    "FileUploader",
    "Form",
    "Fragment",
    "Frame",
    "Gap",
    "GraphvizChart",
    "Heading",
    "Hello",
    "Html",
    "Image",
    "ImageItem",
    "Json",
    "LabelVisibility",
    "LinkButton",
    "Logo",
    "Markdown",
    "Metric",
    "Multiselect",
    "NavPage",
    "Navigation",
    "NewBlock",
    "NewElement",
    "Number",
    "NumberInput",
    "PageConfig",
    "PageLink",
    "PageName",
    "PageNotFound",
    "Path",
    "Pdf",
    "PlotlyChart",
    "Popover",
    "Progress",
    "ProtocolError",
    "QueryChanged",
    "Radio",
    "Refused",
    "Rerun",
    "Rows",
    "RunFinished",
    "RunStarted",
    "RunStatus",
    "Same",
    "Scalar",
    "SelectSlider",
    "Selectbox",
    "SelectionMode",
    "ServerMsg",
    "Slider",
    "Space",
    "Spinner",
    "Status",
    "Stop",
    "Submit",
    "Subtitle",
    "Tab",
    "Tabs",
    "Text",
    "TextInput",
    "Theme",
    "TimeInput",
    "Toast",
    "UploadedFileInfo",
    "VegaLiteChart",
    "Vertical",
    "Video",
    "Welcome",
    "WidgetValue",
    "WidgetValues",
    "decode_client",
    "decode_server",
    "encode",
    "json_schema",
]
