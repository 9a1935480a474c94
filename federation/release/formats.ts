/**
 * The shapes training tools read, as zod schemas: what every line of the release's SFT,
 * preference and KTO data and of its OpenAI views must look like (tests validate every line).
 *
 * - TRL conversational language modelling (SFT): `{ messages: [{ role, content }, …] }`.
 * - TRL explicit-prompt conversational preference (DPO, ORPO…): `prompt` (ends with a user turn),
 *   `chosen`, `rejected` (assistant turns).
 * - TRL unpaired preference (KTO): `prompt`, `completion`, boolean `label`.
 * - OpenAI supervised fine-tuning: `{ messages }` and nothing else; an assistant turn to learn.
 * - OpenAI preference fine-tuning (DPO): `input.messages`, `preferred_output`,
 *   `non_preferred_output` (one assistant message each), nothing else.
 * TRL keeps extra columns (our ids, provenance); OpenAI refuses unknown keys, so its shapes are strict.
 */
import { z } from 'zod';

const Role = z.enum(['system', 'user', 'assistant']);
export const Message = z.object({ role: Role, content: z.string().min(1) });
const Conversation = z.array(Message).min(1);
const AssistantTurns = z.array(Message.extend({ role: z.literal('assistant') })).min(1);
const endsWithUser = (m: z.infer<typeof Conversation>) => m.at(-1)?.role === 'user';

export const TrlConversationalSft = z.object({ messages: Conversation }).refine((r) => r.messages.some((m) => m.role === 'assistant'), 'no assistant turn');

export const TrlExplicitPreference = z.object({
  prompt: Conversation.refine(endsWithUser, 'the prompt must end with a user turn'),
  chosen: AssistantTurns,
  rejected: AssistantTurns,
});

export const TrlUnpairedPreference = z.object({
  prompt: Conversation.refine(endsWithUser, 'the prompt must end with a user turn'),
  completion: AssistantTurns,
  label: z.boolean(),
});

const StrictMessage = Message.strict();

export const OpenAiSft = z
  .object({ messages: z.array(StrictMessage).min(2) })
  .strict()
  .refine((r) => r.messages.at(-1)?.role === 'assistant', 'the last message must be the assistant\'s');

const OneAssistant = z.array(StrictMessage.extend({ role: z.literal('assistant') })).length(1);

export const OpenAiDpo = z
  .object({
    input: z.object({ messages: z.array(StrictMessage).min(1).refine(endsWithUser, 'the input must end with a user turn') }).strict(),
    preferred_output: OneAssistant,
    non_preferred_output: OneAssistant,
  })
  .strict();
