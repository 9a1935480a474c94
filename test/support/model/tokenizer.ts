/**
 * A byte-level BPE tokenizer in the Hugging Face `tokenizer.json` format: the 256 bytes as base
 * tokens (spelled in GPT-2's byte-to-unicode alphabet, so any UTF-8 text encodes), no merges,
 * and a few ChatML special tokens after them. Real format, smallest vocabulary.
 */

export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;
export const PAD_TOKEN_ID = 256;
export const EOS_TOKEN_ID = 258;
export const TOKENIZER_VOCAB_SIZE = 256 + SPECIAL_TOKENS.length;

export const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
  + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** GPT-2's reversible map from bytes to printable code points. */
export function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const isPrintable = new Set(printable);
  const table: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCodePoint(isPrintable.has(b) ? b : 256 + extra++);
  }
  return table;
}

export function tokenizerJson(): object {
  const vocab: Record<string, number> = {};
  byteToUnicode().forEach((symbol, id) => { vocab[symbol] = id; });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, i) => ({
      id: 256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [],
    },
  };
}

export function tokenizerConfigJson(maxLength: number): object {
  const addedTokensDecoder: Record<string, object> = {};
  SPECIAL_TOKENS.forEach((content, i) => {
    addedTokensDecoder[String(256 + i)] = {
      content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true,
    };
  });
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: addedTokensDecoder,
    bos_token: null,
    eos_token: SPECIAL_TOKENS[2],
    pad_token: SPECIAL_TOKENS[0],
    unk_token: null,
    clean_up_tokenization_spaces: false,
    model_max_length: maxLength,
    chat_template: CHAT_TEMPLATE,
  };
}
