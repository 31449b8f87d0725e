/** See DESIGN.md §4 for what the {@code kernels} module owns. */
package org.adatoken3d.kernels;
