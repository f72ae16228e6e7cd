/**
 * The transport SPI: what a transport gives the algorithms of {@code org.pshmem.api}, which live once, over it.
 *
 * <p>A {@link org.pshmem.spi.Transport} is found with {@link java.util.ServiceLoader} (the one on the class path,
 * or the one the setting {@code pshmem.transport} names) and opens a {@link org.pshmem.spi.TransportSession} per
 * process: point-to-point messages and collectives ({@link org.pshmem.spi.CommEndpoint}) and node memory
 * ({@link org.pshmem.spi.NodeMemory}, {@link org.pshmem.spi.NodeSegment}). Programs do not use this package;
 * transports implement it.
 */
package org.pshmem.spi;
