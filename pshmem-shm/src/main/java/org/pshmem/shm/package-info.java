/**
 * Node memory for transports that run a process per rank: a segment is a file in {@code /dev/shm} (or the
 * directory {@link org.pshmem.spi.Setting#SHM_DIR} names) mapped with Chronicle Bytes by every rank of the node.
 *
 * <p>{@link org.pshmem.shm.ShmSegment} is a segment; {@link org.pshmem.shm.SegmentNaming} decides, once per job,
 * whether a segment's name is removed as it is created; {@link org.pshmem.shm.SegmentHandle} is what the creator
 * sends the other ranks of its node. Used by the MPJ Express transport and the native MPI one.
 */
package org.pshmem.shm;
