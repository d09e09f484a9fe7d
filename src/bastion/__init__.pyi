"""Type information for `bastion` (see __init__.py: the names are resolved lazily)."""

from bastion._version import __version__ as __version__
from bastion.app.api import (
    bottom as bottom,
)
from bastion.app.api import (
    query_params as query_params,
)
from bastion.app.api import (
    secrets as secrets,
)
from bastion.app.api import (
    session_state as session_state,
)
from bastion.app.api import (
    sidebar as sidebar,
)
from bastion.app.auth import (
    experimental_user as experimental_user,
)
from bastion.app.auth import (
    login as login,
)
from bastion.app.auth import (
    logout as logout,
)
from bastion.app.auth import (
    user as user,
)
from bastion.app.caching.api import (
    cache_data as cache_data,
)
from bastion.app.caching.api import (
    cache_resource as cache_resource,
)
from bastion.app.client_context import (
    context as context,
)
from bastion.app.connections import (
    connection as connection,
)
from bastion.app.elements.alert import (
    error as error,
)
from bastion.app.elements.alert import (
    exception as exception,
)
from bastion.app.elements.alert import (
    info as info,
)
from bastion.app.elements.alert import (
    success as success,
)
from bastion.app.elements.alert import (
    warning as warning,
)
from bastion.app.elements.badge import (
    badge as badge,
)
from bastion.app.elements.button import (
    button as button,
)
from bastion.app.elements.button_group import (
    feedback as feedback,
)
from bastion.app.elements.button_group import (
    pills as pills,
)
from bastion.app.elements.button_group import (
    segmented_control as segmented_control,
)
from bastion.app.elements.chart_map import (
    map as map,
)
from bastion.app.elements.charts import (
    altair_chart as altair_chart,
)
from bastion.app.elements.charts import (
    area_chart as area_chart,
)
from bastion.app.elements.charts import (
    bar_chart as bar_chart,
)
from bastion.app.elements.charts import (
    line_chart as line_chart,
)
from bastion.app.elements.charts import (
    scatter_chart as scatter_chart,
)
from bastion.app.elements.charts import (
    vega_lite_chart as vega_lite_chart,
)
from bastion.app.elements.chat import (
    chat_input as chat_input,
)
from bastion.app.elements.chat import (
    chat_message as chat_message,
)
from bastion.app.elements.checkbox import (
    checkbox as checkbox,
)
from bastion.app.elements.checkbox import (
    toggle as toggle,
)
from bastion.app.elements.color_picker import (
    color_picker as color_picker,
)
from bastion.app.elements.control import (
    rerun as rerun,
)
from bastion.app.elements.control import (
    stop as stop,
)
from bastion.app.elements.dataframe import (
    column_config as column_config,
)
from bastion.app.elements.dataframe import (
    data_editor as data_editor,
)
from bastion.app.elements.dataframe import (
    dataframe as dataframe,
)
from bastion.app.elements.dataframe import (
    experimental_data_editor as experimental_data_editor,
)
from bastion.app.elements.dataframe import (
    table as table,
)
from bastion.app.elements.datetime_input import (
    datetime_input as datetime_input,
)
from bastion.app.elements.datetime_inputs import (
    date_input as date_input,
)
from bastion.app.elements.datetime_inputs import (
    time_input as time_input,
)
from bastion.app.elements.download import (
    download_button as download_button,
)
from bastion.app.elements.download import (
    link_button as link_button,
)
from bastion.app.elements.echo import (
    echo as echo,
)
from bastion.app.elements.embed import (
    components as components,
)
from bastion.app.elements.embed import (
    html as html,
)
from bastion.app.elements.form import (
    form as form,
)
from bastion.app.elements.form import (
    form_submit_button as form_submit_button,
)
from bastion.app.elements.graphviz import (
    graphviz_chart as graphviz_chart,
)
from bastion.app.elements.help import (
    help as help,
)
from bastion.app.elements.image import (
    image as image,
)
from bastion.app.elements.image import (
    logo as logo,
)
from bastion.app.elements.json import (
    json as json,
)
from bastion.app.elements.layout import (
    columns as columns,
)
from bastion.app.elements.layout import (
    container as container,
)
from bastion.app.elements.layout import (
    empty as empty,
)
from bastion.app.elements.layout import (
    expander as expander,
)
from bastion.app.elements.layout import (
    tabs as tabs,
)
from bastion.app.elements.math import (
    latex as latex,
)
from bastion.app.elements.metric import (
    metric as metric,
)
from bastion.app.elements.multiselect import (
    multiselect as multiselect,
)
from bastion.app.elements.number_input import (
    number_input as number_input,
)
from bastion.app.elements.options import (
    get_option as get_option,
)
from bastion.app.elements.options import (
    set_option as set_option,
)
from bastion.app.elements.overlay import (
    popover as popover,
)
from bastion.app.elements.overlay import (
    status as status,
)
from bastion.app.elements.overlay import (
    toast as toast,
)
from bastion.app.elements.page import (
    set_page_config as set_page_config,
)
from bastion.app.elements.pdf import (
    pdf as pdf,
)
from bastion.app.elements.player import (
    audio as audio,
)
from bastion.app.elements.player import (
    video as video,
)
from bastion.app.elements.plotly import (
    plotly_chart as plotly_chart,
)
from bastion.app.elements.pyplot import (
    pyplot as pyplot,
)
from bastion.app.elements.radio import (
    radio as radio,
)
from bastion.app.elements.selectbox import (
    selectbox as selectbox,
)
from bastion.app.elements.slider import (
    select_slider as select_slider,
)
from bastion.app.elements.slider import (
    slider as slider,
)
from bastion.app.elements.space import (
    space as space,
)
from bastion.app.elements.status import (
    balloons as balloons,
)
from bastion.app.elements.status import (
    progress as progress,
)
from bastion.app.elements.status import (
    snow as snow,
)
from bastion.app.elements.status import (
    spinner as spinner,
)
from bastion.app.elements.stream import (
    write_stream as write_stream,
)
from bastion.app.elements.text import (
    caption as caption,
)
from bastion.app.elements.text import (
    code as code,
)
from bastion.app.elements.text import (
    divider as divider,
)
from bastion.app.elements.text import (
    header as header,
)
from bastion.app.elements.text import (
    markdown as markdown,
)
from bastion.app.elements.text import (
    subheader as subheader,
)
from bastion.app.elements.text import (
    text as text,
)
from bastion.app.elements.text import (
    title as title,
)
from bastion.app.elements.text_input import (
    text_area as text_area,
)
from bastion.app.elements.text_input import (
    text_input as text_input,
)
from bastion.app.elements.uploader import (
    audio_input as audio_input,
)
from bastion.app.elements.uploader import (
    camera_input as camera_input,
)
from bastion.app.elements.uploader import (
    experimental_audio_input as experimental_audio_input,
)
from bastion.app.elements.uploader import (
    file_uploader as file_uploader,
)
from bastion.app.elements.write import (
    write as write,
)
from bastion.app.fragment import (
    dialog as dialog,
)
from bastion.app.fragment import (
    experimental_dialog as experimental_dialog,
)
from bastion.app.fragment import (
    experimental_fragment as experimental_fragment,
)
from bastion.app.fragment import (
    fragment as fragment,
)
from bastion.app.pages import (
    Page as Page,
)
from bastion.app.pages import (
    navigation as navigation,
)
from bastion.app.pages import (
    page_link as page_link,
)
from bastion.app.pages import (
    switch_page as switch_page,
)
