// Comments (notes) on a candidate or an application.
import { toComment } from '../mappers.js';
import type { CreateCommentInput, PinpointComment } from '../types.js';
import { type ClientContext, write } from './context.js';

export interface CommentOperations {
  createComment(input: CreateCommentInput): Promise<PinpointComment>;
}

export function commentOperations(ctx: ClientContext): CommentOperations {
  return {
    createComment(input) {
      return write(ctx, 'POST', 'comments', commentCreateBody(input), toComment);
    },
  };
}

function commentCreateBody(input: CreateCommentInput): Record<string, unknown> {
  return {
    data: {
      type: 'comments',
      attributes: { body_text: input.bodyText },
      relationships: {
        commentable: { data: { type: input.commentable.type, id: input.commentable.id } },
      },
    },
  };
}
