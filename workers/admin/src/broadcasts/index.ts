// Broadcasts (Resend's Broadcasts API), the object: admin's side. Sending it is the send worker's.
export { getBroadcast, listBroadcasts } from './read';
export { listBroadcastClickedLinks, listBroadcastRecipients } from './recipients';
export { createBroadcast, deleteBroadcast, duplicateBroadcast, updateBroadcast } from './write';
