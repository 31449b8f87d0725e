/** See DESIGN.md §4 for what the {@code pruning} module owns. */
package org.adatoken3d.pruning;
