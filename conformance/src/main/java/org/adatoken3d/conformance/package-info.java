/** See DESIGN.md §4 for what the {@code conformance} module owns. */
package org.adatoken3d.conformance;
