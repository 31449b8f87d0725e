/** See DESIGN.md §4 for what the {@code model} module owns. */
package org.adatoken3d.model;
