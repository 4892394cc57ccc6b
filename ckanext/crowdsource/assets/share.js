/* The Share control: copy the item's address, and count each share
   (crowdsource_share_record) when a reader copies the link, opens the QR
   code or follows a share target. Without JavaScript the address is still
   there to select and the links still work; they are just not counted. */
ckan.module('cs-share', function ($) {
  return {
    initialize: function () {
      var el = this.el, opts = this.options, counted = {};
      function record(channel) {
        if (counted[channel]) { return; }
        counted[channel] = true;
        var field = $('meta[name=csrf_field_name]').attr('content');
        var token = field ? $('meta[name=' + field + ']').attr('content') : '';
        fetch(ckan.url('/api/3/action/crowdsource_share_record'), {
          method: 'POST', keepalive: true, credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', 'X-CSRFToken': token || ''},
          body: JSON.stringify({item_type: opts.itemType, id: String(opts.itemId), channel: channel})
        }).catch(function () { /* a count lost is no error for the reader */ });
      }
      el.on('click', '[data-cs-channel]', function () { record($(this).data('cs-channel')); });
      el.find('.cs-share-qr').each(function () {
        this.addEventListener('toggle', function () { if (this.open) { record('qr'); } });
      });
      el.on('click', '.cs-share-copy', function () {
        var button = $(this), input = el.find('.cs-share-link')[0];
        input.select();
        var done = function () {
          button.find('.cs-share-copy-label').text(button.data('copied'));
          record('link');
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () {
            document.execCommand('copy'); done();
          });
        } else {
          document.execCommand('copy'); done();
        }
      });
    }
  };
});
