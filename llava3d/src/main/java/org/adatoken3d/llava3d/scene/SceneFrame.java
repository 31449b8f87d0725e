package org.adatoken3d.llava3d.scene;

import java.nio.file.Path;

/** One posed RGB-D frame of a scene: its colour and depth files and its camera-to-world pose. */
public record SceneFrame(String name, Path color, Path depth, Matrix4 pose) {}
