# Bastion's Bash kernel: the rc file of an interactive bash inside a sandbox box.
#
# Channels (none of them is stdout/stderr, so output that imitates a marker changes nothing):
#   fd $BASTION_REQ_FD  cells from the host: "<seq> <byte length>\n<code>"
#   stdin               one line per cell, `__bastion_cell`, telling the shell to take the next
#                       cell (an alias, so the code is eval'ed at top level, not in a function)
#   fd $BASTION_EVT_FD  events out: length-prefixed JSON frames; "done" comes from
#                       PROMPT_COMMAND, i.e. from bash itself once the command line has finished
#                       or was interrupted by SIGINT (an interactive shell's Ctrl-C).
# The user's code runs with stdin=/dev/null and both fds closed (bash keeps its saved copies
# close-on-exec), so programs it starts cannot read the cell stream or forge an event.
#
# Interrupts may land anywhere, also around a cell. Between cells the shell ignores SIGINT (so
# an interrupt that comes late never cuts the next command line); while it reads a cell, a trap
# records it (the cell is then reported as interrupted without running); only the user's code
# runs with the interactive shell's own Ctrl-C behaviour. The host re-sends SIGINT until the
# cell ends, so one that came too early is not lost.
set +m
# The host reads this kernel's output from pipes of its own, passed as extra fds.
exec 1>&"$BASTION_OUT_FD" 2>&"$BASTION_ERR_FD" {BASTION_OUT_FD}>&- {BASTION_ERR_FD}>&-
__bastion_req=$BASTION_REQ_FD __bastion_evt=$BASTION_EVT_FD
unset BASTION_OUT_FD BASTION_ERR_FD BASTION_REQ_FD BASTION_EVT_FD HISTFILE MAIL MAILPATH
unset PROMPT_DIRTRIM
set +o history
PS1='' PS2='' PS4='+ '
__bastion_seq=0 __bastion_code= __bastion_int= __bastion_got=
trap '' INT

__bastion_frame() {
  local LC_ALL=C n
  IFS=' ' read -r __bastion_seq n <&"$__bastion_req" || exit 0
  __bastion_code= __bastion_got=1
  ((n > 0)) && IFS= read -r -d '' -N "$n" __bastion_code <&"$__bastion_req"
  return 0
}

__bastion_load() {
  __bastion_int= __bastion_code= __bastion_got=
  trap '__bastion_int=1' INT
  __bastion_frame
  trap - INT
  [[ -z $__bastion_int && -n $__bastion_got ]] || return 130
}

__bastion_done() {
  local rc=$1 LC_ALL=C body hdr n
  body="{\"op\":\"done\",\"seq\":${__bastion_seq},\"code\":${rc}}"
  n=${#body}
  printf -v hdr '\\x%02x\\x%02x\\x%02x\\x%02x' $((n >> 24 & 255)) $((n >> 16 & 255)) \
    $((n >> 8 & 255)) $((n & 255))
  printf "${hdr}%s" "$body" >&"$__bastion_evt"
}

__bastion_prompt() {
  local rc=$?
  trap '' INT
  __bastion_done "$rc"
}

eval "alias __bastion_cell='__bastion_load && eval \"\$__bastion_code\" </dev/null \
${__bastion_req}<&- ${__bastion_evt}>&-'"
PROMPT_COMMAND=__bastion_prompt
