# Bastion's Bash kernel: the rc file of an interactive bash inside a sandbox box.
#
# Channels (none of them is stdout/stderr, so output that imitates a marker changes nothing):
#   stdin  one line per cell from the host: `__bastion_load SEQ; eval ...` (see kernel.py)
#   fd $BASTION_REQ_FD  the cell's code: "<byte length>\n<code>"
#   fd $BASTION_EVT_FD  events out: length-prefixed JSON frames; "done" comes from PROMPT_COMMAND, i.e. from
#          bash itself once the command line has finished or was interrupted by SIGINT.
# The user's code runs with stdin=/dev/null and both fds closed (bash keeps its saved copies
# close-on-exec), so programs it starts cannot read the command stream or forge an event.
set +m
__bastion_req=$BASTION_REQ_FD __bastion_evt=$BASTION_EVT_FD
unset BASTION_REQ_FD BASTION_EVT_FD
unset HISTFILE MAIL MAILPATH PROMPT_DIRTRIM
set +o history
PS1='' PS2='' PS4='+ '
__bastion_seq=0
__bastion_code=
__bastion_done() {
  local rc=$1 LC_ALL=C body hdr n
  body="{\"op\":\"done\",\"seq\":${__bastion_seq},\"code\":${rc}}"
  n=${#body}
  printf -v hdr '\\x%02x\\x%02x\\x%02x\\x%02x' $((n >> 24 & 255)) $((n >> 16 & 255)) \
    $((n >> 8 & 255)) $((n & 255))
  printf "${hdr}%s" "$body" >&"$__bastion_evt"
}
__bastion_load() {
  local LC_ALL=C n
  __bastion_seq=$1
  IFS= read -r n <&"$__bastion_req" || exit 0
  __bastion_code=
  ((n > 0)) && IFS= read -r -d '' -N "$n" __bastion_code <&"$__bastion_req"
  return 0
}
PROMPT_COMMAND='__bastion_done $?'
