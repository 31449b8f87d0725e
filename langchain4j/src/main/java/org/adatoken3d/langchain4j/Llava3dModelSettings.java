package org.adatoken3d.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import java.util.List;
import org.adatoken3d.llava3d.Llava3d;

/**
 * What both chat models hold: the façade (owned and closed by the caller), the model's name, the default request
 * parameters every request is merged over, and langchain4j's listeners.
 */
record Llava3dModelSettings(Llava3d llava, String modelName, Llava3dChatRequestParameters defaults, List<ChatModelListener> listeners) {}
