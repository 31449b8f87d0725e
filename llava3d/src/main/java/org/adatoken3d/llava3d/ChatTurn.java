package org.adatoken3d.llava3d;

/** One message of a chat, as {@link Llava3d#chatPrompt} renders it: who speaks, and the text. */
public record ChatTurn(Role role, String text) {
    public enum Role {
        /** llava_v1's fixed system text; any other is refused, since the template has no place for it. */
        SYSTEM,
        USER,
        ASSISTANT
    }

    public ChatTurn {
        if (role == null) throw new NullPointerException("role");
        if (text == null) throw new NullPointerException("text");
    }

    public static ChatTurn user(String text) {
        return new ChatTurn(Role.USER, text);
    }

    public static ChatTurn assistant(String text) {
        return new ChatTurn(Role.ASSISTANT, text);
    }

    public static ChatTurn system(String text) {
        return new ChatTurn(Role.SYSTEM, text);
    }
}
