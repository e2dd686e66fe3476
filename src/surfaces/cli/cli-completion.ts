/**
 * `rollout completion bash|zsh`: a completion script for commands, options and the rollout ids of
 * the checkout (`.github/rollouts/*.yml` under `--dir`, else the current directory).
 * bash: `eval "$(rollout completion bash)"`; zsh: `eval "$(rollout completion zsh)"` (or save it
 * as `_rollout` on `$fpath`).
 */

export const COMPLETION_USAGE = `usage: rollout completion bash|zsh

  bash:  echo 'eval "$(rollout completion bash)"' >> ~/.bashrc
  zsh:   echo 'eval "$(rollout completion zsh)"' >> ~/.zshrc`;

export interface CompletionWords {
  commands: readonly string[];
  /** Long options, with whether each takes a value. */
  options: Readonly<Record<string, boolean>>;
}

export function completionScript(shell: string, words: CompletionWords): string | undefined {
  const commands = words.commands.join(" ");
  const options = Object.keys(words.options)
    .map((name) => `--${name}`)
    .join(" ");
  const valued = Object.entries(words.options)
    .filter(([, takesValue]) => takesValue)
    .map(([name]) => `--${name}`)
    .join("|");
  if (shell === "bash")
    return `# bash completion for rollout (rollout-bot)
_rollout() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local dir="." command="" i
  case "$prev" in
    --dir) COMPREPLY=( $(compgen -d -- "$cur") ); return ;;
    --to) COMPREPLY=( $(compgen -W "previous 0" -- "$cur") ); return ;;
    ${valued}) COMPREPLY=(); return ;;
  esac
  for (( i = 1; i < COMP_CWORD; i++ )); do
    case "\${COMP_WORDS[i]}" in
      --dir) dir="\${COMP_WORDS[i+1]}"; (( i++ )) ;;
      ${valued}) (( i++ )) ;;
      -*) ;;
      *) [ -z "$command" ] && command="\${COMP_WORDS[i]}" ;;
    esac
  done
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "${options}" -- "$cur") )
  elif [ -z "$command" ]; then
    COMPREPLY=( $(compgen -W "${commands}" -- "$cur") )
  elif [ "$command" = completion ]; then
    COMPREPLY=( $(compgen -W "bash zsh" -- "$cur") )
  else
    local ids
    ids=$(command ls "$dir/.github/rollouts" 2>/dev/null | sed -n 's/\\.ya\\{0,1\\}ml$//p')
    COMPREPLY=( $(compgen -W "$ids" -- "$cur") )
  fi
}
complete -F _rollout rollout
`;
  if (shell === "zsh")
    return `#compdef rollout
# zsh completion for rollout (rollout-bot)
_rollout() {
  local dir="." command="" i
  local -a ids
  for (( i = 2; i < CURRENT; i++ )); do
    case "\${words[i]}" in
      --dir) dir="\${words[i+1]}"; (( i++ )) ;;
      ${valued}) (( i++ )) ;;
      -*) ;;
      *) [[ -z "$command" ]] && command="\${words[i]}" ;;
    esac
  done
  case "\${words[CURRENT-1]}" in
    --dir) _files -/ ; return ;;
    --to) compadd -- previous 0; return ;;
    ${valued}) return ;;
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then
    compadd -- ${options}
  elif [[ -z "$command" ]]; then
    compadd -- ${commands}
  elif [[ "$command" == completion ]]; then
    compadd -- bash zsh
  else
    ids=(\${(f)"$(command ls "$dir/.github/rollouts" 2>/dev/null | sed -n 's/\\.ya\\{0,1\\}ml$//p')"})
    compadd -- $ids
  fi
}
if (( $+functions[compdef] )); then compdef _rollout rollout; fi
`;
  return undefined;
}
