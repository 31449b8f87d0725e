package org.adatoken3d.model.scene;

import java.nio.file.Path;

/** One posed RGB-D frame of a scene: its colour and depth files and its camera-to-world pose. */
public record SceneFrame(String name, Path color, Path depth, Matrix4 pose) {}
